package dev.qsio.test.hooks;

import static org.awaitility.Awaitility.await;

import java.time.Duration;

import dev.qsio.SocketIo;
import dev.qsio.runtime.server.SocketIoServerImpl;
import dev.qsio.testkit.SocketIoConnector;

/** Child namespaces of a pattern, for the tests of {@code cleanup-empty-child-namespaces}. */
@SocketIo(pattern = "/room-\\d+")
public class ChildNamespaces {

    /** A socket comes and goes in the namespace: returns once the server has no socket there. */
    static void visit(SocketIoServerImpl server, String name) {
        SocketIoConnector.create().namespace(name).connectAndAwait().close();
        await().atMost(Duration.ofSeconds(10)).until(() -> server.namespaces().stream()
                .noneMatch(n -> n.name().equals(name) && !n.sockets().isEmpty()));
    }

    static boolean known(SocketIoServerImpl server, String name) {
        return server.namespaces().stream().anyMatch(n -> n.name().equals(name));
    }
}
