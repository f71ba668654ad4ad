package dev.qsio.demo.chat;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import dev.qsio.testkit.ClientSocket;
import dev.qsio.testkit.SocketIoConnector;
import dev.qsio.testkit.Transport;
import io.quarkus.test.junit.QuarkusTest;

/** The demo's contract with the test kit (the official Java client), as an application's own tests would check it. */
@QuarkusTest
class ChatJavaClientTest {

    final SocketIoConnector chat = SocketIoConnector.create();

    @Test
    void helloChatAndRooms() {
        try (ClientSocket alice = chat.connectAndAwait();
                ClientSocket bob = chat.transports(Transport.WEBSOCKET).connectAndAwait();
                ClientSocket carol = chat.transports(Transport.POLLING).connectAndAwait()) {
            Chat.Hello hello = alice.awaitEvent("hello").arg(0, Chat.Hello.class);
            assertThat(hello.worker()).isZero();
            assertThat(hello.pid()).isEqualTo(ProcessHandle.current().pid());
            assertThat(hello.node()).isNotBlank();

            Chat.Ok ok = alice.emitAndAwaitAck("chat", "hi all").arg(0, Chat.Ok.class);
            assertThat(ok).isEqualTo(new Chat.Ok(true, 0));
            for (ClientSocket other : new ClientSocket[] { bob, carol }) {
                Chat.Message message = other.awaitEvent("chat").arg(0, Chat.Message.class);
                assertThat(message).isEqualTo(new Chat.Message("hi all", alice.id(), 0, null));
            }

            assertThat(bob.emitAndAwaitAck("join", "blue").arg(0, Chat.Ok.class).ok()).isTrue();
            assertThat(carol.emitAndAwaitAck("join", "blue").arg(0, Chat.Ok.class).ok()).isTrue();
            bob.emit("room", new Chat.RoomText("blue", "blue only"));
            assertThat(carol.awaitEvent("chat").arg(0, Chat.Message.class))
                    .isEqualTo(new Chat.Message("blue only", bob.id(), 0, "blue"));

            // the sender never gets its own message, and alice is not in the blue room
            assertThat(alice.events("chat")).isEmpty();
            assertThat(bob.events("chat")).hasSize(1);
        }
    }
}
