package dev.qsio.test.hooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.qsio.OnEvent;
import dev.qsio.SocketIo;
import dev.qsio.SocketIoServer;
import dev.qsio.SocketIoSocket;
import dev.qsio.testkit.ClientSocket;
import dev.qsio.testkit.SocketIoConnector;
import io.quarkus.test.QuarkusUnitTest;

/** A namespace lists its rooms, as Node's {@code io.of(name).adapter.rooms}: each socket's own room and the joined. */
class NamespaceRoomsTest {

    @RegisterExtension
    static final QuarkusUnitTest test = new QuarkusUnitTest().withApplicationRoot(root -> root.addClasses(Games.class));

    @SocketIo("/games")
    public static class Games {
        @OnEvent("join")
        String join(SocketIoSocket socket, String room) {
            socket.join(room);
            return "joined";
        }
    }

    @Inject
    SocketIoServer io;

    @Test
    void roomsAreListed() {
        SocketIoConnector games = SocketIoConnector.create().namespace("/games");
        try (ClientSocket a = games.connectAndAwait(); ClientSocket b = games.connectAndAwait()) {
            a.emitAndAwaitAck("join", "lobby");
            b.emitAndAwaitAck("join", "table-1");
            assertThat(io.of("/games").rooms()).containsExactlyInAnyOrder(a.id(), b.id(), "lobby", "table-1");
            assertThat(io.rooms()).isEmpty();
            String idB = b.id();
            b.close();
            await().atMost(Duration.ofSeconds(10)).until(() -> !io.of("/games").rooms().contains(idB));
            assertThat(io.of("/games").rooms()).containsExactlyInAnyOrder(a.id(), "lobby");
        }
    }
}
