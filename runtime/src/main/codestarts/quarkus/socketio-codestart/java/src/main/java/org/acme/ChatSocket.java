package org.acme;

import dev.qsio.OnConnect;
import dev.qsio.OnEvent;
import dev.qsio.SocketIo;
import dev.qsio.SocketIoSocket;

/** The namespace /chat: every client is in the room "lobby", and a message reaches the others. */
@SocketIo("/chat")
public class ChatSocket {

    public record Message(String from, String text) {
    }

    public record Receipt(boolean ok) {
    }

    @OnConnect
    void joined(SocketIoSocket socket) {
        socket.join("lobby");
        socket.emit("welcome", socket.id());
    }

    /** The return value is the acknowledgement the client awaits. */
    @OnEvent("message")
    Receipt message(SocketIoSocket socket, String text) {
        socket.to("lobby").emit("message", new Message(socket.id(), text));
        return new Receipt(true);
    }
}
