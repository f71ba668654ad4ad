package dev.qsio.test.devmode;

import java.net.URI;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.socket.client.Ack;
import io.socket.client.IO;
import io.socket.client.Socket;

/** A real Socket.IO client (the Java one) on WebSocket only, reconnecting by itself across reloads. */
final class DevClient implements AutoCloseable {

    final Socket socket;

    DevClient(String namespace) {
        IO.Options options = IO.Options.builder().setTransports(new String[] { "websocket" }).setReconnectionDelay(100)
                .setReconnectionDelayMax(500).build();
        socket = IO.socket(URI.create("http://localhost:8080" + namespace), options);
        socket.connect();
    }

    /** The first argument of the acknowledgement, or null when none came within a second (e.g. during a reload). */
    Object ask(String event, Object... args) {
        if (!socket.connected()) {
            return null;
        }
        CompletableFuture<Object> answer = new CompletableFuture<>();
        socket.emit(event, args, (Ack) reply -> answer.complete(reply.length == 0 ? "" : reply[0]));
        try {
            return answer.get(1, TimeUnit.SECONDS);
        } catch (Exception e) {
            return null;
        }
    }

    @Override
    public void close() {
        socket.close();
    }
}
