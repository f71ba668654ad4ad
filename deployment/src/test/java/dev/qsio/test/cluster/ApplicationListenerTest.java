package dev.qsio.test.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.qsio.runtime.cluster.ApplicationListener;
import dev.qsio.test.Failures;
import io.quarkus.test.QuarkusUnitTest;
import io.vertx.core.Vertx;

/**
 * A draining worker stops its HTTP listener while the process goes on. Quarkus has no API for that, so the extension
 * finds Quarkus' HTTP verticle by name: this test fails when a Quarkus upgrade breaks that reach.
 */
class ApplicationListenerTest {

    @RegisterExtension
    static final QuarkusUnitTest test = new QuarkusUnitTest()
            .withApplicationRoot(root -> root.addClasses(Failures.class, Failures.AnyNamespace.class));

    @Inject
    Vertx vertx;

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    private boolean accepts() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("localhost", port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void closesTheListenerAndTheProcessGoesOn() throws Exception {
        assertThat(accepts()).as("listening before").isTrue();
        ApplicationListener.close(vertx).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        // once in a CI run a connection was still accepted right after the close completed (cause not found: Vert.x
        // closes the listening channel before completing): what counts for a draining worker is that it stops
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50)).alias("listening after")
                .until(() -> !accepts());
        assertThat(vertx.deploymentIDs()).as("the rest of the application is still deployed").isNotNull();
        // a second close (Quarkus' shutdown may have undeployed the listener already) finds nothing
        // deployed and succeeds: closing twice is not an error
        ApplicationListener.close(vertx).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertThat(accepts()).as("listening after a second close").isFalse();
    }
}
