package dev.qsio.test.hooks;

import static org.awaitility.Awaitility.await;

import java.time.Duration;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.qsio.runtime.server.SocketIoServerImpl;
import io.quarkus.test.QuarkusUnitTest;

/** Node's {@code cleanupEmptyChildNamespaces} as {@code quarkus.socketio.cleanup-empty-child-namespaces=true}. */
class ChildNamespacesCleanedTest {

    @RegisterExtension
    static final QuarkusUnitTest test = new QuarkusUnitTest()
            .withApplicationRoot(root -> root.addClasses(ChildNamespaces.class))
            .overrideConfigKey("quarkus.socketio.cleanup-empty-child-namespaces", "true");

    @Inject
    SocketIoServerImpl server;

    @Test
    void theLastSocketLeaves() {
        ChildNamespaces.visit(server, "/room-7");
        await().atMost(Duration.ofSeconds(10)).until(() -> !ChildNamespaces.known(server, "/room-7"));
    }
}
