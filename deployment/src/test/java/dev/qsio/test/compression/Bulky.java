package dev.qsio.test.compression;

import jakarta.inject.Inject;

import dev.qsio.OnEvent;
import dev.qsio.SocketIo;
import dev.qsio.SocketIoServer;
import dev.qsio.SocketIoSocket;

/** Sends text of a given length to the socket or to everyone, with or without compression. */
@SocketIo("/")
public class Bulky {

    @Inject
    SocketIoServer io;

    static String text(int length) {
        StringBuilder sb = new StringBuilder(length);
        for (int i = 0; sb.length() < length; i++) {
            sb.append("line ").append(i).append(' ');
        }
        return sb.substring(0, length);
    }

    @OnEvent("send")
    void send(SocketIoSocket socket, int length) {
        socket.emit("text", text(length));
    }

    @OnEvent("send-uncompressed")
    void sendUncompressed(SocketIoSocket socket, int length) {
        socket.compress(false).emit("text", text(length));
    }

    @OnEvent("broadcast")
    void broadcast(int length) {
        io.emit("text", text(length));
    }

    @OnEvent("broadcast-uncompressed")
    void broadcastUncompressed(int length) {
        io.compress(false).emit("text", text(length));
    }
}
