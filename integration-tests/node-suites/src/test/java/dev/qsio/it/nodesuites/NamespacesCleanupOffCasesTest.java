package dev.qsio.it.nodesuites;

import static dev.qsio.it.nodesuites.NamespacesCasesTest.table;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.qsio.ConnectionRefusedException;
import dev.qsio.Middleware;
import dev.qsio.SocketIo;
import dev.qsio.SocketIoSocket;
import dev.qsio.runtime.server.Namespace;
import dev.qsio.runtime.server.SocketIoServerImpl;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * {@code socket.io/test/namespaces.ts}, the cases with {@code cleanupEmptyChildNamespaces} off (Node's default; on
 * by default here): {@code quarkus.socketio.cleanup-empty-child-namespaces=false}. A dynamic namespace then stays in
 * the server's table ({@link SocketIoServerImpl#namespaces()}, Node's {@code io._nsps}) once it has no socket.
 */
@QuarkusTest
@TestProfile(NamespacesCleanupOffCasesTest.CleanupOff.class)
@NodeFile("socket.io/test/namespaces.ts")
class NamespacesCleanupOffCasesTest extends NodeCases {

    public static class CleanupOff implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.socketio.cleanup-empty-child-namespaces", "false");
        }
    }

    static final Duration WAIT = Duration.ofSeconds(10);

    @Inject
    SocketIoServerImpl server;

    @SocketIo(pattern = "/ns-off-dyn-\\d+")
    static class Dynamic {
    }

    @Test
    @NodeCase("namespaces > dynamic namespaces > should not clean up namespace when cleanupEmptyChildNamespaces is off and there are no more sockets in a namespace")
    void aDynamicNamespaceStaysWhenItsLastSocketLeaves() {
        String client = connect("/ns-off-dyn-101");
        String sid = driver.await(client, "connect").path("sid").asText();
        await().atMost(WAIT).until(() -> table(server, "/ns-off-dyn-101") != null
                && table(server, "/ns-off-dyn-101").socket(sid) != null);
        Namespace namespace = table(server, "/ns-off-dyn-101");
        driver.disconnect(client);
        await().atMost(WAIT).until(() -> namespace.socket(sid) == null);
        await().during(Duration.ofMillis(300)).atMost(WAIT).untilAsserted(() -> {
            assertThat(table(server, "/ns-off-dyn-101")).isSameAs(namespace);
            assertThat(namespace.localSockets()).isEmpty();
        });
    }

    @SocketIo(pattern = "/ns-off-refused-\\d+")
    static class Refused {
        @Middleware
        void refuse(SocketIoSocket socket) {
            throw new ConnectionRefusedException("You shall not pass!");
        }
    }

    @Test
    @NodeCase("namespaces > dynamic namespaces > should NOT clean up namespace when cleanupEmptyChildNamespaces is OFF and client is rejected in middleware")
    void aDynamicNamespaceWhoseClientIsRefusedStays() {
        String client = connect("/ns-off-refused-101", Map.of("reconnection", false), Map.of());
        assertThat(driver.await(client, "connect_error").path("message").asText()).isEqualTo("You shall not pass!");
        await().during(Duration.ofMillis(300)).atMost(WAIT).untilAsserted(() -> {
            Namespace namespace = table(server, "/ns-off-refused-101");
            assertThat(namespace).isNotNull();
            assertThat(namespace.localSockets()).isEmpty();
        });
        assertThat(driver.events(client, "connect")).isEmpty();
    }
}
