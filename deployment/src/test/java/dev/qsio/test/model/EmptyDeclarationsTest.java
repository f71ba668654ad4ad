package dev.qsio.test.model;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.qsio.SocketIo;
import dev.qsio.testkit.ClientSocket;
import dev.qsio.testkit.SocketIoConnector;
import io.quarkus.test.QuarkusUnitTest;

/**
 * A {@code @SocketIo} class without handler methods still declares its namespace (as Node's {@code io.of(name)}
 * without listeners): clients connect to it, by name or by pattern; a name nothing declares is refused.
 */
class EmptyDeclarationsTest {

    @RegisterExtension
    static final QuarkusUnitTest test = new QuarkusUnitTest()
            .withApplicationRoot(root -> root.addClasses(Quiet.class, Rooms.class));

    final SocketIoConnector server = SocketIoConnector.create();

    @SocketIo("/quiet")
    public static class Quiet {
    }

    @SocketIo(pattern = "/room-\\d+")
    public static class Rooms {
    }

    @Test
    void declaredNamespacesAcceptClients() {
        try (ClientSocket quiet = server.namespace("/quiet").connectAndAwait();
                ClientSocket room = server.namespace("/room-7").connectAndAwait()) {
            assertThat(quiet.id()).isNotEmpty();
            assertThat(room.id()).isNotEmpty();
            assertThat(server.namespace("/other").connectAndAwaitRefusal()).hasMessage("Invalid namespace");
        }
    }
}
