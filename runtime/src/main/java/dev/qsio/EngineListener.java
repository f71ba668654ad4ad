package dev.qsio;

/**
 * The events of one Engine.IO session, Node's {@code socket.conn.on("upgrade" | "packet" | "packetCreate" |
 * "flush" | "drain")}: registered with {@link EngineIoSocket#on(EngineListener)}, for example on {@code socket.conn()}.
 * <p>
 * Called on the thread that moved the packet, some with the session's lock held: a listener must not block, nor wait
 * for another session. One that throws is logged and the session goes on. A session without listeners calls nothing.
 */
public interface EngineListener {

    /** The session now carries its packets over another transport ({@code "upgrade"}). */
    default void upgrade(String transport) {
    }

    /**
     * A packet arrived from the client ({@code "packet"}): its type as the protocol names it ({@code "message"},
     * {@code "ping"}, {@code "pong"}, {@code "close"}, ...) and its data: a {@code String}, a {@code Buffer} for a
     * binary message, or {@code null}.
     */
    default void packet(String type, Object data) {
    }

    /** A packet goes to the client ({@code "packetCreate"}), the packets of broadcasts included; same arguments. */
    default void packetCreate(String type, Object data) {
    }

    /**
     * The packets that waited for the transport (the ones {@link #packetCreate} told of) are about to be given to it,
     * {@code packets} of them in one write ({@code "flush"}, whose argument is Node's write buffer).
     */
    default void flush(int packets) {
    }

    /** What waited for the transport has been given to it ({@code "drain"}). */
    default void drain() {
    }
}
