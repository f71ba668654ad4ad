package dev.qsio.test.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.ProdBuildResults;
import io.quarkus.test.ProdModeTestResults;
import io.quarkus.test.QuarkusProdModeTest;

/**
 * Without an autoscaler; the grace period from the cluster's shutdown timeout as the build sees it (50 s, plus the
 * primary's and the JVM's 15 s).
 */
class NoAutoscalerTest {

    @RegisterExtension
    static final QuarkusProdModeTest test = new QuarkusProdModeTest()
            .withApplicationRoot(root -> root.addClasses(Manifests.Echo.class))
            .setApplicationName("chat-plain")
            .setApplicationVersion("0.1")
            .setForcedDependencies(Manifests.KUBERNETES)
            .overrideConfigKey("quarkus.socketio.cluster.shutdown-timeout", "50s")
            .overrideConfigKey("quarkus.socketio.kubernetes.autoscaling.enabled", "false");

    @ProdBuildResults
    ProdModeTestResults results;

    @Test
    void noAutoscalerAndAGracePeriodBeyondTheShutdownTimeout() throws Exception {
        Map<String, JsonNode> manifests = Manifests.byKind(results.getBuildDir());
        assertThat(manifests).containsKeys("Deployment", "Service").doesNotContainKey("HorizontalPodAutoscaler");
        assertThat(manifests.get("Deployment").at("/spec/template/spec/terminationGracePeriodSeconds").asInt())
                .isEqualTo(65);
    }
}
