package dev.qsio.test.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.ProdBuildResults;
import io.quarkus.test.ProdModeTestResults;
import io.quarkus.test.QuarkusProdModeTest;

/** The autoscaler and the grace period as quarkus.socketio.kubernetes sets them. */
class AutoscalingSettingsTest {

    @RegisterExtension
    static final QuarkusProdModeTest test = new QuarkusProdModeTest()
            .withApplicationRoot(root -> root.addClasses(Manifests.Echo.class))
            .setApplicationName("chat-settings")
            .setApplicationVersion("0.1")
            .setForcedDependencies(Manifests.KUBERNETES)
            .overrideConfigKey("quarkus.socketio.kubernetes.termination-grace-period", "90s")
            .overrideConfigKey("quarkus.socketio.kubernetes.autoscaling.min-replicas", "2")
            .overrideConfigKey("quarkus.socketio.kubernetes.autoscaling.max-replicas", "6")
            .overrideConfigKey("quarkus.socketio.kubernetes.autoscaling.target-average-connections", "1500")
            .overrideConfigKey("quarkus.socketio.kubernetes.autoscaling.metric-name", "chat_sockets")
            .overrideConfigKey("quarkus.socketio.kubernetes.autoscaling.cpu-utilization", "70");

    @ProdBuildResults
    ProdModeTestResults results;

    @Test
    void theAutoscalerAndTheGracePeriodFollowTheSettings() throws Exception {
        Map<String, JsonNode> manifests = Manifests.byKind(results.getBuildDir());
        assertThat(manifests.get("Deployment").at("/spec/template/spec/terminationGracePeriodSeconds").asInt())
                .isEqualTo(90);
        JsonNode hpa = manifests.get("HorizontalPodAutoscaler");
        assertThat(hpa.at("/metadata/name").asText()).isEqualTo("chat-settings");
        assertThat(hpa.at("/spec/scaleTargetRef/name").asText()).isEqualTo("chat-settings");
        assertThat(hpa.at("/spec/minReplicas").asInt()).isEqualTo(2);
        assertThat(hpa.at("/spec/maxReplicas").asInt()).isEqualTo(6);
        List<JsonNode> metrics = new ArrayList<>();
        hpa.at("/spec/metrics").forEach(metrics::add);
        assertThat(metrics).hasSize(2);
        assertThat(metrics.get(0).at("/pods/metric/name").asText()).isEqualTo("chat_sockets");
        assertThat(metrics.get(0).at("/pods/target/averageValue").asText()).isEqualTo("1500");
        assertThat(metrics.get(1).path("type").asText()).isEqualTo("Resource");
        assertThat(metrics.get(1).at("/resource/name").asText()).isEqualTo("cpu");
        assertThat(metrics.get(1).at("/resource/target/averageUtilization").asInt()).isEqualTo(70);
    }
}
