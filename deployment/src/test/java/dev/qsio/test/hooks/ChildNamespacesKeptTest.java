package dev.qsio.test.hooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.qsio.SocketIo;
import dev.qsio.runtime.server.Namespace;
import dev.qsio.runtime.server.SocketIoServerImpl;
import dev.qsio.testkit.ClientSocket;
import dev.qsio.testkit.SocketIoConnector;
import io.quarkus.test.QuarkusUnitTest;

/** Node's {@code cleanupEmptyChildNamespaces} as {@code quarkus.socketio.cleanup-empty-child-namespaces=false}. */
class ChildNamespacesKeptTest {

    @RegisterExtension
    static final QuarkusUnitTest test = new QuarkusUnitTest().withApplicationRoot(root -> root.addClasses(Rooms.class))
            .overrideConfigKey("quarkus.socketio.cleanup-empty-child-namespaces", "false");

    @SocketIo(pattern = "/room-\\d+")
    public static class Rooms {
    }

    @Inject
    SocketIoServerImpl server;

    @Test
    void theLastSocketLeaves() {
        ClientSocket client = SocketIoConnector.create().namespace("/room-7").connectAndAwait();
        assertThat(server.namespaces()).extracting(Namespace::name).contains("/room-7");
        client.close();
        await().atMost(Duration.ofSeconds(10)).until(() -> server.namespaces().stream()
                .noneMatch(n -> n.name().equals("/room-7") && !n.sockets().isEmpty()));
        assertThat(server.namespaces()).extracting(Namespace::name).contains("/room-7");
    }
}
