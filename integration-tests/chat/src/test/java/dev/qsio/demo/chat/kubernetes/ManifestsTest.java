package dev.qsio.demo.chat.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

/**
 * The Kubernetes manifests of the docs against the demo's configuration and the extension's endpoints, so that they
 * cannot drift.
 */
class ManifestsTest {

    static final Path MANIFESTS = Path.of("../../docs/modules/ROOT/examples/kubernetes");
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    static JsonNode load(String file) throws IOException {
        return YAML.readTree(MANIFESTS.resolve(file).toFile());
    }

    static Properties application() throws IOException {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(Path.of("src/main/resources/application.properties"))) {
            p.load(in);
        }
        return p;
    }

    @Test
    void probesUseTheManagementInterfaceAndTheHealthPaths() throws IOException {
        Properties app = application();
        assertThat(app.getProperty("quarkus.management.enabled")).isEqualTo("true");
        int management = Integer.parseInt(app.getProperty("quarkus.management.port", "9000"));
        int http = Integer.parseInt(app.getProperty("quarkus.http.port", "8080"));
        String root = app.getProperty("quarkus.management.root-path", "/q");

        JsonNode container = load("deployment.yaml").at("/spec/template/spec/containers/0");
        int managementPort = -1;
        int httpPort = -1;
        for (JsonNode port : container.get("ports")) {
            if (port.get("name").asText().equals("management")) {
                managementPort = port.get("containerPort").asInt();
            } else if (port.get("name").asText().equals("http")) {
                httpPort = port.get("containerPort").asInt();
            }
        }
        assertThat(managementPort).isEqualTo(management);
        assertThat(httpPort).isEqualTo(http);
        assertThat(container.at("/livenessProbe/httpGet/path").asText()).isEqualTo(root + "/health/live");
        assertThat(container.at("/readinessProbe/httpGet/path").asText()).isEqualTo(root + "/health/ready");
        assertThat(container.at("/startupProbe/httpGet/path").asText()).isEqualTo(root + "/health/started");
        for (String probe : new String[] { "livenessProbe", "readinessProbe", "startupProbe" }) {
            assertThat(container.at("/" + probe + "/httpGet/port").asText()).isEqualTo("management");
        }
        assertThat(load("deployment.yaml").at("/spec/template/metadata/annotations/prometheus.io~1port").asText())
                .isEqualTo(String.valueOf(management));
        assertThat(load("service.yaml").at("/spec/ports/0/targetPort").asText()).isEqualTo("http");
    }

    @Test
    void theAutoscalerScalesOnTheConnectedSocketMetric() throws IOException {
        JsonNode hpa = load("hpa.yaml");
        assertThat(hpa.at("/spec/scaleTargetRef/name").asText()).isEqualTo(load("deployment.yaml").at("/metadata/name").asText());
        assertThat(hpa.at("/spec/metrics/0/pods/metric/name").asText()).isEqualTo("socketio_connected_sockets");
        // the meter the extension registers under that Prometheus name
        String meters = Files.readString(Path.of("../../runtime/src/main/java/dev/qsio/runtime/metrics/SocketIoMeters.java"));
        assertThat(meters).contains("\"socketio.connected.sockets\"");
    }
}
