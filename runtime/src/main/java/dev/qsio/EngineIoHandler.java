package dev.qsio;

import io.vertx.core.buffer.Buffer;

/**
 * Receives the events of raw Engine.IO sessions at an {@link EngineIoEndpoint}.
 * <p>
 * Callbacks run on the Vert.x event loop that carried the packet and must not block. For one session they are
 * called in order: {@code onOpen}, then messages, then {@code onClose} exactly once.
 */
public interface EngineIoHandler {

    /** A session completed its handshake. */
    default void onOpen(EngineIoSocket socket) {
    }

    /** The client sent a text message. */
    void onMessage(EngineIoSocket socket, String text);

    /** The client sent a binary message. */
    default void onBinary(EngineIoSocket socket, Buffer data) {
    }

    /**
     * The session ended. Reasons follow the reference server: {@code "transport close"}, {@code "transport error"},
     * {@code "ping timeout"}, {@code "parse error"}, {@code "forced close"}, {@code "server shutting down"}; and one
     * of this server's own: {@code "send buffer full"} (the client did not read, see
     * {@code quarkus.socketio.max-buffered-bytes}).
     */
    default void onClose(EngineIoSocket socket, String reason) {
    }
}
