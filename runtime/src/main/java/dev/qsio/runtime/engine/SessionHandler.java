package dev.qsio.runtime.engine;

import java.util.Map;

import dev.qsio.EngineIoHandler;
import dev.qsio.EngineIoSocket;
import io.vertx.core.buffer.Buffer;

/**
 * The layer above the engine, told of each session's events. {@code C} is what it keeps for a session (the
 * Socket.IO connection, or the session itself for a raw Engine.IO endpoint): the engine hands it back with every
 * message, so nothing is cast.
 * <p>
 * Called on the event loop that carried the packet; for one session in order: {@code onOpen}, messages, then
 * {@code onClose} once.
 */
public interface SessionHandler<C> {

    /** A session is handed to the application; returns what to keep for it. */
    C onOpen(EngineSession<C> session);

    void onMessage(C connection, String text);

    void onBinary(C connection, Buffer data);

    void onClose(C connection, String reason);

    /**
     * The session changed transport (Node's {@code socket.conn.on("upgrade")}): called once the new one carries its
     * packets, for a session the application already has. Nothing by default.
     */
    default void onUpgrade(C connection, String transport) {
    }

    /**
     * A client that did not keep up caught up after missing packets marked droppable ({@link EnginePacket#droppable}):
     * how many, by the group they were marked with. Called on the session's context, once it took what was held for
     * it. Nothing by default.
     */
    default void onDropped(C connection, Map<String, Integer> counts) {
    }

    /** The handler of a raw Engine.IO endpoint: the application's {@link EngineIoHandler}, given the session. */
    static SessionHandler<EngineIoSocket> raw(EngineIoHandler handler) {
        return new SessionHandler<>() {
            @Override
            public EngineIoSocket onOpen(EngineSession<EngineIoSocket> session) {
                handler.onOpen(session);
                return session;
            }

            @Override
            public void onMessage(EngineIoSocket socket, String text) {
                handler.onMessage(socket, text);
            }

            @Override
            public void onBinary(EngineIoSocket socket, Buffer data) {
                handler.onBinary(socket, data);
            }

            @Override
            public void onClose(EngineIoSocket socket, String reason) {
                handler.onClose(socket, reason);
            }
        };
    }
}
