package dev.qsio.test.hooks;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.qsio.runtime.server.SocketIoServerImpl;
import io.quarkus.test.QuarkusUnitTest;

/** Node's {@code cleanupEmptyChildNamespaces} as {@code quarkus.socketio.cleanup-empty-child-namespaces=false}. */
class ChildNamespacesKeptTest {

    @RegisterExtension
    static final QuarkusUnitTest test = new QuarkusUnitTest()
            .withApplicationRoot(root -> root.addClasses(ChildNamespaces.class))
            .overrideConfigKey("quarkus.socketio.cleanup-empty-child-namespaces", "false");

    @Inject
    SocketIoServerImpl server;

    @Test
    void theLastSocketLeaves() {
        ChildNamespaces.visit(server, "/room-7");
        assertThat(ChildNamespaces.known(server, "/room-7")).isTrue();
    }
}
