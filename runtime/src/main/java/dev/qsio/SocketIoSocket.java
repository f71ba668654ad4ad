package dev.qsio;

import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;

import io.smallrye.mutiny.Uni;

/**
 * A client connected to a namespace: Node's server-side {@code Socket}. Safe to use from any thread.
 */
public interface SocketIoSocket extends RemoteSocket {

    /** Whether the socket is still connected. */
    boolean connected();

    /**
     * Whether this socket was restored by connection state recovery: same id, rooms and data as before its client
     * lost the connection, and the broadcasts it missed already sent (Node's {@code socket.recovered}).
     */
    boolean recovered();

    /** The Engine.IO transport in use: {@code "polling"} or {@code "websocket"}. */
    String transport();

    /** Sends an event to this client. */
    @Override
    void emit(String event, Object... args);

    /**
     * Sends an event that the client acknowledges; completes with the first argument of the acknowledgement, or
     * fails with {@link AckTimeoutException} after the default acknowledgement timeout.
     */
    Uni<JsonNode> emitWithAck(String event, Object... args);

    /** Emitting with another acknowledgement timeout. */
    Emitter timeout(Duration timeout);

    /** Sockets other than this one (Node's {@code socket.broadcast}). */
    BroadcastOperator broadcast();

    /** Sockets in these rooms, except this one (Node's {@code socket.to(room)}). */
    BroadcastOperator to(String... rooms);

    /** Sockets not in these rooms, except this one (Node's {@code socket.except(room)}). */
    BroadcastOperator except(String... rooms);

    /** Emitting to this socket with an acknowledgement timeout. */
    interface Emitter {
        void emit(String event, Object... args);

        Uni<JsonNode> emitWithAck(String event, Object... args);
    }
}
