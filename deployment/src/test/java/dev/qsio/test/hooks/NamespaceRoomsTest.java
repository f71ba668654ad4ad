package dev.qsio.test.hooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.qsio.SocketIoServer;
import dev.qsio.test.admin.Chat;
import dev.qsio.testkit.ClientSocket;
import dev.qsio.testkit.SocketIoConnector;
import io.quarkus.test.QuarkusUnitTest;

/** A namespace lists its rooms, as Node's {@code io.of(name).adapter.rooms}: each socket's own room and the joined. */
class NamespaceRoomsTest {

    @RegisterExtension
    static final QuarkusUnitTest test = new QuarkusUnitTest()
            .withApplicationRoot(root -> root.addClasses(Chat.class));

    @Inject
    SocketIoServer io;

    @Test
    void roomsAreListed() {
        SocketIoConnector chat = SocketIoConnector.create().namespace("/chat");
        try (ClientSocket a = chat.connectAndAwait(); ClientSocket b = chat.connectAndAwait()) {
            a.emitAndAwaitAck("join", "lobby");
            b.emitAndAwaitAck("join", "table-1");
            assertThat(io.of("/chat").rooms()).containsExactlyInAnyOrder(a.id(), b.id(), "lobby", "table-1");
            assertThat(io.rooms()).isEmpty();
            String idB = b.id();
            b.close();
            await().atMost(Duration.ofSeconds(10)).until(() -> !io.of("/chat").rooms().contains(idB));
            assertThat(io.of("/chat").rooms()).containsExactlyInAnyOrder(a.id(), "lobby");
        }
    }
}
