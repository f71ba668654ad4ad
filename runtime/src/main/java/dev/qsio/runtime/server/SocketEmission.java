package dev.qsio.runtime.server;

import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;

import dev.qsio.SocketIoSocket;
import io.smallrye.mutiny.Uni;

/** Emitting to one socket with an acknowledgement timeout, with or without compression. */
final class SocketEmission implements SocketIoSocket.Emitter {

    private final SocketImpl socket;
    private final Duration timeout;
    private final boolean compress;

    SocketEmission(SocketImpl socket, Duration timeout, boolean compress) {
        this.socket = socket;
        this.timeout = timeout;
        this.compress = compress;
    }

    @Override
    public void emit(String event, Object... args) {
        if (compress) {
            socket.emit(event, args);
            return;
        }
        socket.emitEncoded(event,
                socket.namespace.server.json().encoder().event(socket.namespace.name(), -1, event, args).uncompressed());
    }

    @Override
    public Uni<JsonNode> emitWithAck(String event, Object... args) {
        return socket.emitWithAck(timeout, event, args, compress);
    }

    @Override
    public <T> Uni<T> emitWithAck(Class<T> type, String event, Object... args) {
        return emitWithAck(event, args).map(v -> socket.namespace.server.ackValue(v, type));
    }
}
