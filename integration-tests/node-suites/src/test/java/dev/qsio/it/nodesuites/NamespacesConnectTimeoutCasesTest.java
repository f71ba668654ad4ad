package dev.qsio.it.nodesuites;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * {@code socket.io/test/namespaces.ts}, the case with a short {@code connectTimeout}
 * ({@code quarkus.socketio.connect-timeout}). Node's case stops its Socket.IO client from sending its CONNECT; here
 * the official Engine.IO client opens the connection and never sends one.
 */
@QuarkusTest
@TestProfile(NamespacesConnectTimeoutCasesTest.ShortConnectTimeout.class)
@NodeFile("socket.io/test/namespaces.ts")
class NamespacesConnectTimeoutCasesTest extends NodeCases {

    public static class ShortConnectTimeout implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.socketio.connect-timeout", "300ms");
        }
    }

    @Test
    @NodeCase("namespaces > should close a client without namespace")
    void aConnectionThatJoinsNoNamespaceIsClosed() {
        // a client that joins the main namespace stays, beside the one that joins none
        String joined = connect("/");
        driver.await(joined, "connect");
        driver.engineOpen("silent", url(""), Map.of("path", "/socket.io/"));
        driver.await("silent", "open");
        driver.await("silent", "close");
        await().during(Duration.ofMillis(600)).atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(driver.events(joined, "disconnect")).isEmpty());
    }
}
