package dev.qsio;

import java.time.Duration;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import io.smallrye.mutiny.Uni;

/**
 * Selects sockets of a namespace and acts on them: Node's {@code BroadcastOperator}. Each method that narrows the
 * selection returns a new operator; the original is unchanged, so operators can be kept and reused.
 * <p>
 * Without {@link #to(String...)} the selection is every socket of the namespace. Operations reach every worker
 * and host of the cluster unless {@link #local()} is used.
 */
public interface BroadcastOperator {

    /** Adds rooms: the selection becomes the sockets in at least one of the rooms. */
    BroadcastOperator to(String... rooms);

    /** Same as {@link #to(String...)}. */
    default BroadcastOperator in(String... rooms) {
        return to(rooms);
    }

    /** Excludes the sockets in any of these rooms (a socket id is a room holding that socket). */
    BroadcastOperator except(String... rooms);

    /** Restricts the operation to this process (Node's {@code local} flag). */
    BroadcastOperator local();

    /**
     * Drops the packet for clients that cannot take it at once instead of queueing it (Node's {@code volatile} flag;
     * the name is a Java keyword, hence the underscore).
     */
    BroadcastOperator volatile_();

    /**
     * With {@code false}, the packets are never compressed, whatever their size (Node's {@code compress(false)}),
     * also on the other servers of the cluster.
     */
    BroadcastOperator compress(boolean compress);

    /**
     * The time to wait for acknowledgements in {@link #emitWithAck(String, Object...)}. Zero expires right after the
     * emit, as Node's {@code timeout(0)}; a negative one throws {@link IllegalArgumentException}.
     */
    BroadcastOperator timeout(Duration timeout);

    /** Emits an event to the selected sockets. The packet is encoded once for all of them. */
    void emit(String event, Object... args);

    /**
     * Emits an event that each selected client acknowledges; the {@code Uni} completes with the first argument of
     * every acknowledgement (JSON null for one without) once all arrived, or fails with {@link AckTimeoutException}
     * (saying how many answered) when the timeout ends first. A selected client that disconnects without answering is
     * waited for until the timeout, as in Node: the others' answers are still coming.
     *
     * @see #emitWithAckArgs(String, Object...)
     */
    Uni<List<JsonNode>> emitWithAck(String event, Object... args);

    /** Like {@link #emitWithAck(String, Object...)}, with each acknowledgement's first argument bound to a type. */
    <T> Uni<List<T>> emitWithAck(Class<T> type, String event, Object... args);

    /**
     * Like {@link #emitWithAck(String, Object...)}, with every argument of each acknowledgement (Node's
     * {@code (a, b) => ...}), on every worker and host: one {@link EventArgs} per client that answered, its event the
     * emitted one, its values the arguments in order, binary ones as {@code BinaryNode}s. A Node server of the same
     * cluster forwards only the first argument of its clients' answers (Node's adapters do): those have one value.
     */
    Uni<List<EventArgs>> emitWithAckArgs(String event, Object... args);

    /**
     * Like {@link #emitWithAck(String, Object...)}, waiting for the answers: for handlers on worker or virtual
     * threads (it fails on an event loop, which must not block).
     */
    default List<JsonNode> emitWithAckAndAwait(String event, Object... args) {
        return emitWithAck(event, args).await().indefinitely();
    }

    /** Like {@link #emitWithAck(Class, String, Object...)}, waiting for the answers (not on an event loop). */
    default <T> List<T> emitWithAckAndAwait(Class<T> type, String event, Object... args) {
        return emitWithAck(type, event, args).await().indefinitely();
    }

    /** Like {@link #emitWithAckArgs(String, Object...)}, waiting for the answers (not on an event loop). */
    default List<EventArgs> emitWithAckArgsAndAwait(String event, Object... args) {
        return emitWithAckArgs(event, args).await().indefinitely();
    }

    /** The selected sockets, with their id, handshake, rooms and data. */
    Uni<List<RemoteSocket>> fetchSockets();

    /** Like {@link #fetchSockets()}, waiting for the answer (not on an event loop). */
    default List<RemoteSocket> fetchSocketsAndAwait() {
        return fetchSockets().await().indefinitely();
    }

    /** Makes the selected sockets join rooms. */
    void socketsJoin(String... rooms);

    /** Makes the selected sockets leave rooms. */
    void socketsLeave(String... rooms);

    /** Disconnects the selected sockets; with {@code close}, their whole connection is closed. */
    void disconnectSockets(boolean close);
}
