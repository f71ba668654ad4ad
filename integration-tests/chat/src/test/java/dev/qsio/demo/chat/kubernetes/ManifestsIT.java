package dev.qsio.demo.chat.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

/**
 * The manifests {@code quarkus-kubernetes} generated for the packaged demo ({@code target/kubernetes/kubernetes.yml}),
 * against the demo's configuration: probes on the management port, the container ports, a grace period beyond the
 * cluster's graceful shutdown, and the autoscaler on connected sockets.
 */
class ManifestsIT {

    static final Path MANIFESTS = Path.of("target/kubernetes/kubernetes.yml");
    static final Map<String, JsonNode> BY_KIND = new HashMap<>();
    static Properties app;

    @BeforeAll
    static void load() throws IOException {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        try (MappingIterator<JsonNode> docs = yaml.readerFor(JsonNode.class).readValues(MANIFESTS.toFile())) {
            for (JsonNode doc : docs.readAll()) {
                if (doc != null && !doc.isEmpty()) {
                    BY_KIND.put(doc.path("kind").asText(), doc);
                }
            }
        }
        app = new Properties();
        try (InputStream in = Files.newInputStream(Path.of("src/main/resources/application.properties"))) {
            app.load(in);
        }
    }

    static JsonNode deployment() {
        assertThat(BY_KIND).containsKey("Deployment");
        return BY_KIND.get("Deployment");
    }

    @Test
    void probesUseTheManagementPortAndTheHealthPaths() {
        assertThat(app.getProperty("quarkus.management.enabled")).isEqualTo("true");
        int management = Integer.parseInt(app.getProperty("quarkus.management.port", "9000"));
        int http = Integer.parseInt(app.getProperty("quarkus.http.port", "8080"));
        JsonNode container = deployment().at("/spec/template/spec/containers/0");
        Map<String, Integer> ports = new HashMap<>();
        container.get("ports").forEach(p -> ports.put(p.get("name").asText(), p.get("containerPort").asInt()));
        assertThat(ports).containsEntry("http", http).containsEntry("management", management);
        Map<String, String> paths = Map.of("livenessProbe", "/q/health/live", "readinessProbe", "/q/health/ready",
                "startupProbe", "/q/health/started");
        paths.forEach((probe, path) -> {
            assertThat(container.at("/" + probe + "/httpGet/path").asText()).as(probe).isEqualTo(path);
            assertThat(container.at("/" + probe + "/httpGet/port").asInt()).as(probe).isEqualTo(management);
        });
        // the workers take longer to be ready than the default startup probe waits (3 x 10 s)
        JsonNode startup = container.get("startupProbe");
        assertThat(startup.get("periodSeconds").asInt() * startup.get("failureThreshold").asInt())
                .isGreaterThanOrEqualTo(60);
        assertThat(deployment().at("/spec/template/metadata/annotations/prometheus.io~1port").asText())
                .isEqualTo(String.valueOf(management));
        assertThat(BY_KIND.get("Service").at("/spec/ports/0/targetPort").asInt()).isEqualTo(http);
    }

    @Test
    void theGracePeriodOutlastsTheClustersGracefulShutdown() {
        Duration shutdown = Duration.parse("PT" + app.getProperty("quarkus.socketio.cluster.shutdown-timeout", "30S"));
        long grace = deployment().at("/spec/template/spec/terminationGracePeriodSeconds").asLong();
        // the workers' timeout, then the primary's own 5 s, then the JVM's exit
        assertThat(grace).isGreaterThan(shutdown.plusSeconds(5).toSeconds())
                .isEqualTo(shutdown.plusSeconds(15).toSeconds());
    }

    @Test
    void theAutoscalerScalesTheDeploymentOnConnectedSocketsPerPod() throws IOException {
        JsonNode hpa = BY_KIND.get("HorizontalPodAutoscaler");
        assertThat(hpa).isNotNull();
        assertThat(hpa.path("apiVersion").asText()).isEqualTo("autoscaling/v2");
        assertThat(hpa.at("/spec/scaleTargetRef/kind").asText()).isEqualTo("Deployment");
        assertThat(hpa.at("/spec/scaleTargetRef/name").asText()).isEqualTo(deployment().at("/metadata/name").asText());
        List<JsonNode> metrics = new ArrayList<>();
        hpa.at("/spec/metrics").forEach(metrics::add);
        assertThat(metrics).hasSize(1);
        assertThat(metrics.get(0).path("type").asText()).isEqualTo("Pods");
        assertThat(metrics.get(0).at("/pods/metric/name").asText()).isEqualTo("socketio_connected_sockets");
        assertThat(metrics.get(0).at("/pods/target/type").asText()).isEqualTo("AverageValue");
        assertThat(metrics.get(0).at("/pods/target/averageValue").asText()).isEqualTo("40000");
        // the meter the extension registers under that Prometheus name (HealthAndMetricsIT scrapes it)
        String meters = Files.readString(Path.of("../../runtime/src/main/java/dev/qsio/runtime/metrics/SocketIoMeters.java"));
        assertThat(meters).contains("\"socketio.connected.sockets\"");
    }
}
