package dev.qsio;

/**
 * A socket disconnected before it acknowledged an event emitted to it with {@code emitWithAck} (or was already
 * disconnected when the event was emitted): the acknowledgement fails at once, whatever its timeout, because no
 * later connection of the client, not even one that connection state recovery restores, can answer it.
 * <p>
 * An {@link IllegalStateException}, as the failure of an emit to a socket already disconnected always was.
 *
 * @see SocketIoSocket#emitWithAck(String, Object...)
 */
public class SocketDisconnectedException extends IllegalStateException {

    private final String socketId;
    private final String reason;
    private final String event;

    public SocketDisconnectedException(String socketId, String reason, String event) {
        super("socket " + socketId + " disconnected (" + reason + ") before acknowledging \"" + event + "\"");
        this.socketId = socketId;
        this.reason = reason;
        this.event = event;
    }

    /** The id of the socket that left. */
    public String socketId() {
        return socketId;
    }

    /**
     * Why it left, as its {@code @OnDisconnect} handlers are told: {@code "client namespace disconnect"},
     * {@code "transport close"}, {@code "server namespace disconnect"}, {@code "ping timeout"}, ...
     */
    public String reason() {
        return reason;
    }

    /** The event whose acknowledgement never came. */
    public String event() {
        return event;
    }

    /** Thrown on the event loop where the socket left: a stack trace would say nothing about the emit. */
    @Override
    public synchronized Throwable fillInStackTrace() {
        return this;
    }
}
