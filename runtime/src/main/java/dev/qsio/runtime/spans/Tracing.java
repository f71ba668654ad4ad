package dev.qsio.runtime.spans;

import java.util.Map;
import java.util.Set;

import dev.qsio.SocketIoSocket;

/**
 * Where the server and the cluster adapter begin and end spans: implemented by the tracing view
 * ({@code dev.qsio.runtime.tracing}) when the application has {@code quarkus-opentelemetry} with tracing on. The
 * default, {@link #NONE}, returns constants and allocates nothing, so that the paths that call it (a broadcast's
 * above all) cost nothing more without tracing.
 */
public interface Tracing {

    /** No tracing: every call returns a constant. */
    Tracing NONE = new Tracing() {
    };

    /** What this server sends. */
    enum Send {
        /** An event to one socket. */
        EMIT,
        /** An event to the selected sockets of every server (with acknowledgements or not). */
        BROADCAST,
        /** The acknowledgement of a client's event. */
        ACK,
        /** An event to the other servers' {@code @OnBroadcast} methods. */
        SERVER_SIDE_EMIT
    }

    /** What another server asked this one to do. */
    enum Delivery {
        BROADCAST,
        SERVER_SIDE_EMIT,
        FETCH_SOCKETS,
        SOCKETS_JOIN,
        SOCKETS_LEAVE,
        DISCONNECT_SOCKETS
    }

    /** A span begun by these hooks. */
    interface Span {

        Span NONE = new Span() {
            @Override
            public Scope enter() {
                return Scope.NONE;
            }

            @Override
            public void end(Throwable failure) {
            }
        };

        /** Makes the span current on this thread until the scope closes: what is sent meanwhile is its child. */
        Scope enter();

        /** Ends the span; failed when {@code failure} is not null. */
        void end(Throwable failure);
    }

    /** A span current on this thread. */
    interface Scope extends AutoCloseable {

        Scope NONE = () -> {
        };

        @Override
        void close();
    }

    /** Whether spans are made (callers skip the work of describing a span, such as decoding an event's name). */
    default boolean enabled() {
        return false;
    }

    /**
     * A socket connected to its namespace: returns its connection's trace, which the socket keeps and gives back to
     * the calls below (null when none).
     */
    default Object connected(SocketIoSocket socket) {
        return null;
    }

    /** The socket's connection changed transport. */
    default void upgraded(Object connection, SocketIoSocket socket, String transport) {
    }

    /** The socket left its namespace. */
    default void disconnected(Object connection, SocketIoSocket socket, String reason) {
    }

    /**
     * A handler of the socket is called for an event, or (with {@code lifecycle}) for the socket's
     * {@code connection}, {@code disconnecting} or {@code disconnect}.
     */
    default Span handling(Object connection, SocketIoSocket socket, String event, boolean lifecycle) {
        return Span.NONE;
    }

    /**
     * This server sends an event (or an acknowledgement of {@code event}) in a namespace: to the socket
     * {@code socketId}, or to the selected rooms (empty: all) less {@code except}.
     */
    default Span sending(Send kind, String namespace, String event, String socketId, Set<String> rooms,
            Set<String> except) {
        return Span.NONE;
    }

    /**
     * The trace context of the current span, as W3C {@code traceparent} (and {@code tracestate}) for a message to
     * other servers; empty when there is none.
     */
    default Map<String, String> context() {
        return Map.of();
    }

    /**
     * Another server's message is applied here ({@code event} for broadcasts and server-side emits, else null): a span
     * that continues the sender's trace ({@code parent}, as {@link #context()} gave it there; empty: none).
     */
    default Span delivering(Delivery kind, String namespace, String event, Map<String, String> parent, int originWorker,
            String originNode) {
        return Span.NONE;
    }
}
