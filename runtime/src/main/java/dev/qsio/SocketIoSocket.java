package dev.qsio;

import java.time.Duration;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.security.identity.SecurityIdentity;
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

    /**
     * The Engine.IO session under this socket (Node's {@code socket.conn}), shared by the sockets of the client's
     * other namespaces: its id, transport, and {@link EngineIoSocket#on(EngineListener) its events}.
     */
    EngineIoSocket conn();

    /**
     * Who the socket is: the identity the application's Quarkus HTTP authentication established at the handshake
     * (bearer token, OIDC, basic, mutual TLS, ...), or the one authenticated from a token in the CONNECT's
     * {@code auth} ({@code quarkus.socketio.security.auth-token-field}); anonymous otherwise. Also a handler
     * parameter, and what {@code @Inject SecurityIdentity} gives while the socket's handlers run.
     */
    SecurityIdentity securityIdentity();

    /** Sends an event to this client. */
    @Override
    void emit(String event, Object... args);

    /**
     * Sends an event to this client, and says whether the client keeps up: true when nothing it had not taken was
     * waiting ({@link #writable()}), false when the event waits behind bytes it has not read yet, and then the caller
     * should wait for {@link #drained()} before sending more (Node's {@code stream.write()} answer). Dropped, and
     * false, when the socket is no longer connected.
     */
    default boolean emitAndCheckWritable(String event, Object... args) {
        boolean keepsUp = connected() && writable();
        emit(event, args);
        return keepsUp;
    }

    /**
     * The bytes sent to this client that it has not taken yet, over all the namespaces of its connection
     * ({@link EngineIoSocket#bufferedBytes()}).
     */
    default long bufferedBytes() {
        return conn().bufferedBytes();
    }

    /** Whether the client takes what it is sent as fast as it is sent ({@link EngineIoSocket#writable()}). */
    default boolean writable() {
        return conn().writable();
    }

    /**
     * Completes when the client has taken what it was sent; fails if it disconnects first
     * ({@link EngineIoSocket#drained()}).
     */
    default Uni<Void> drained() {
        return conn().drained();
    }

    /**
     * Sends an event that the client acknowledges; completes with the first argument of the acknowledgement (JSON
     * null when it has none). Fails with {@link AckTimeoutException} after the default acknowledgement timeout, or
     * with {@link SocketDisconnectedException} as soon as the socket disconnects without having answered (at once
     * when it is already disconnected): no later connection can answer it.
     *
     * @see #emitWithAckArgs(String, Object...)
     */
    Uni<JsonNode> emitWithAck(String event, Object... args);

    /** Like {@link #emitWithAck(String, Object...)}, with the acknowledgement's first argument bound to a type. */
    <T> Uni<T> emitWithAck(Class<T> type, String event, Object... args);

    /**
     * Like {@link #emitWithAck(String, Object...)}, completing with every argument of the acknowledgement (Node's
     * {@code socket.emit("ev", (a, b) => ...)}): {@link EventArgs#event()} is the emitted event, its values the
     * arguments in order, binary ones as {@code BinaryNode}s.
     */
    Uni<EventArgs> emitWithAckArgs(String event, Object... args);

    /** Like {@link #emitWithAckArgs(String, Object...)}, waiting for the answer (not on an event loop). */
    default EventArgs emitWithAckArgsAndAwait(String event, Object... args) {
        return emitWithAckArgs(event, args).await().indefinitely();
    }

    /**
     * Like {@link #emitWithAck(String, Object...)}, waiting for the answer: for handlers on worker or virtual threads
     * (it fails on an event loop, which must not block).
     */
    default JsonNode emitWithAckAndAwait(String event, Object... args) {
        return emitWithAck(event, args).await().indefinitely();
    }

    /** Like {@link #emitWithAck(Class, String, Object...)}, waiting for the answer (not on an event loop). */
    default <T> T emitWithAckAndAwait(Class<T> type, String event, Object... args) {
        return emitWithAck(type, event, args).await().indefinitely();
    }

    /**
     * Emitting with another acknowledgement timeout. Zero expires right after the emit, as Node's {@code timeout(0)}
     * (an answer that comes later is dropped); a negative one throws {@link IllegalArgumentException}.
     */
    Emitter timeout(Duration timeout);

    /**
     * Emitting with or without compression (Node's {@code socket.compress(false).emit(...)}): with {@code false},
     * the packet is not compressed on either transport, whatever its size. With {@code true}, as a plain emit.
     */
    Emitter compress(boolean compress);

    /**
     * Emitting an event this client may miss (Node's {@code socket.volatile.emit(...)}; the name is a Java keyword,
     * hence the underscore): the event is dropped, not queued, when the connection cannot take it at once (a polling
     * client with no request waiting, a WebSocket whose unsent bytes are past their high-water mark), and it is not
     * logged for connection state recovery. Counted in {@code socketio_volatile_drops_total} when dropped. It applies
     * to {@code emit}; an acknowledgement asked for is never dropped.
     */
    Emitter volatile_();

    /** Sends a {@code message} event (Node's {@code socket.send(...)}): the same as {@code emit("message", args)}. */
    default void send(Object... args) {
        emit("message", args);
    }

    /**
     * Adds a listener called with every event the client sends, before the event's handlers (Node's
     * {@code socket.onAny}). Returns this socket.
     */
    SocketIoSocket onAny(AnyListener listener);

    /** Adds a listener called before the others of {@link #onAny(AnyListener)} (Node's {@code prependAny}). */
    SocketIoSocket prependAny(AnyListener listener);

    /** Removes a listener added with {@link #onAny(AnyListener)} or {@link #prependAny(AnyListener)}. */
    SocketIoSocket offAny(AnyListener listener);

    /** Removes every listener of events the client sends. */
    SocketIoSocket offAny();

    /** The listeners of events the client sends, in calling order. */
    List<AnyListener> listenersAny();

    /**
     * Adds a listener called with every event sent to the client: by {@link #emit(String, Object...)} and by
     * broadcasts that reach this socket, from any server of the cluster (Node's {@code socket.onAnyOutgoing}).
     */
    SocketIoSocket onAnyOutgoing(AnyListener listener);

    /** Adds a listener called before the others of {@link #onAnyOutgoing(AnyListener)}. */
    SocketIoSocket prependAnyOutgoing(AnyListener listener);

    /** Removes a listener of events sent to the client. */
    SocketIoSocket offAnyOutgoing(AnyListener listener);

    /** Removes every listener of events sent to the client. */
    SocketIoSocket offAnyOutgoing();

    /** The listeners of events sent to the client, in calling order. */
    List<AnyListener> listenersAnyOutgoing();

    /**
     * Adds middleware run for each event the client emits on this socket, before its handlers (Node's
     * {@code socket.use}). Returns this socket.
     */
    SocketIoSocket use(PacketMiddleware middleware);

    /** Sockets other than this one (Node's {@code socket.broadcast}). */
    BroadcastOperator broadcast();

    /** Sockets in these rooms, except this one (Node's {@code socket.to(room)}). */
    BroadcastOperator to(String... rooms);

    /** Sockets not in these rooms, except this one (Node's {@code socket.except(room)}). */
    BroadcastOperator except(String... rooms);

    /**
     * Emitting to this socket with an acknowledgement timeout or without compression; its acknowledgements fail as
     * those of {@link SocketIoSocket#emitWithAck(String, Object...)}.
     */
    interface Emitter {
        void emit(String event, Object... args);

        /** As {@link SocketIoSocket#send(Object...)}: {@code emit("message", args)}. */
        default void send(Object... args) {
            emit("message", args);
        }

        /** The same emitting, without compression when {@code false} (see {@link SocketIoSocket#compress}). */
        Emitter compress(boolean compress);

        /** The same emitting, with this acknowledgement timeout (see {@link SocketIoSocket#timeout}). */
        Emitter timeout(java.time.Duration timeout);

        /** The same emitting, the events dropped when the client cannot take them at once (see {@link SocketIoSocket#volatile_}). */
        Emitter volatile_();

        Uni<JsonNode> emitWithAck(String event, Object... args);

        <T> Uni<T> emitWithAck(Class<T> type, String event, Object... args);

        /** Every argument of the acknowledgement (see {@link SocketIoSocket#emitWithAckArgs(String, Object...)}). */
        Uni<EventArgs> emitWithAckArgs(String event, Object... args);

        default JsonNode emitWithAckAndAwait(String event, Object... args) {
            return emitWithAck(event, args).await().indefinitely();
        }

        default <T> T emitWithAckAndAwait(Class<T> type, String event, Object... args) {
            return emitWithAck(type, event, args).await().indefinitely();
        }

        default EventArgs emitWithAckArgsAndAwait(String event, Object... args) {
            return emitWithAckArgs(event, args).await().indefinitely();
        }
    }
}
