package org.acme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import dev.qsio.testkit.ClientSocket;
import dev.qsio.testkit.SocketIoConnector;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class ChatSocketTest {

    SocketIoConnector chat = SocketIoConnector.create().namespace("/chat");

    @Test
    void aMessageReachesTheOthersAndIsAcknowledged() {
        try (ClientSocket alice = chat.connectAndAwait(); ClientSocket bob = chat.connectAndAwait()) {
            assertEquals(alice.id(), alice.awaitEvent("welcome").arg().asText());

            ChatSocket.Receipt receipt = alice.emitAndAwaitAck("message", "hello").arg(0, ChatSocket.Receipt.class);
            assertTrue(receipt.ok());

            ChatSocket.Message message = bob.awaitEvent("message").arg(0, ChatSocket.Message.class);
            assertEquals(new ChatSocket.Message(alice.id(), "hello"), message);
            assertTrue(alice.events("message").isEmpty(), "the sender does not get its own message");
        }
    }
}
