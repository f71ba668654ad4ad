package dev.qsio;

import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;

/**
 * One Engine.IO session: the connection-level transport that Socket.IO runs on.
 * <p>
 * A session survives the change of transport from HTTP long-polling to WebSocket; its {@link #id()} is the
 * Engine.IO {@code sid}. Methods are safe to call from any thread. Messages are delivered to the client in the
 * order they were sent.
 *
 * @see EngineIoHandler
 */
public interface EngineIoSocket {

    /** The session id ({@code sid}) sent in the open packet: 20 characters of secure randomness, URL-safe. */
    String id();

    /** The transport currently in use: {@code "polling"} or {@code "websocket"}. */
    String transport();

    /**
     * The Engine.IO protocol revision the client speaks: 4, or 3 for a client of the Socket.IO 2.x generation
     * (accepted with {@code quarkus.socketio.allow-eio3}).
     */
    default int protocol() {
        return 4;
    }

    /** The request that opened the session (headers, query, remote address), as it was at the handshake. */
    HandshakeRequest request();

    /** Whether the session is open: messages sent now are delivered unless the client goes away. */
    boolean isOpen();

    /** Sends a text message. Dropped if the session is closed. */
    void send(String text);

    /** Sends a binary message: a binary frame on WebSocket, base64 with the {@code b} prefix on polling. */
    void send(Buffer data);

    /**
     * Sends a text message that, with {@code compress} false, is never compressed (Node's
     * {@code socket.send(data, {compress: false})}): not by permessage-deflate on WebSocket, and a polling response
     * that carries it is not compressed either. With {@code compress} true, as {@link #send(String)}.
     */
    default void send(String text, boolean compress) {
        send(text);
    }

    /** Sends a binary message, never compressed when {@code compress} is false (see {@link #send(String, boolean)}). */
    default void send(Buffer data, boolean compress) {
        send(data);
    }

    /**
     * Closes the session from the server side after the messages already queued are written. The handler's
     * {@link EngineIoHandler#onClose(EngineIoSocket, String)} receives {@code "forced close"}.
     */
    void close();

    /**
     * The bytes sent to the client that it has not taken yet (Node's {@code socket.conn.writeBuffer}, in bytes):
     * packets waiting for a polling request, and what a WebSocket holds past its connection's allowance (its
     * high-water mark, tens of kilobytes; under it, 0). 0 once the session is closed.
     */
    long bufferedBytes();

    /**
     * Whether the client takes what it is sent as fast as it is sent: the session is open and
     * {@link #bufferedBytes()} is 0. A server that streams to one client can send while this holds and wait for
     * {@link #drained()} when it does not.
     */
    boolean writable();

    /**
     * Completes when the client has taken what it was sent ({@link #writable()}): at once when it has, otherwise when
     * its connection goes under its low-water mark or a polling request takes what waited. Fails with an
     * {@link IllegalStateException} if the session closes first.
     */
    Uni<Void> drained();

    /**
     * Adds a listener of this session's engine events (Node's {@code socket.conn.on(...)}); returns this session.
     * <p>
     * A listener sees the events after it was added. An {@code @OnConnect} handler runs after the CONNECT answer (on
     * a worker thread unless it returns a {@code Uni}), while the client probes WebSocket from its handshake on, so the
     * upgrade may be over by then: as in Node, read {@link #transport()} after adding the listener; {@code "polling"}
     * means the listener will see the upgrade.
     */
    EngineIoSocket on(EngineListener listener);
}
