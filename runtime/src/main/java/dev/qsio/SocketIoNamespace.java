package dev.qsio;

import java.util.Collection;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

import io.smallrye.mutiny.Uni;

/**
 * A namespace: every method of {@link BroadcastOperator} applies to all its sockets.
 */
public interface SocketIoNamespace extends BroadcastOperator {

    /** The namespace name, for example {@code "/chat"}. */
    String name();

    /** Adds middleware, run after the annotated {@link Middleware} methods. */
    SocketIoNamespace use(SocketMiddleware middleware);

    /** The sockets connected to this process in this namespace. */
    Collection<SocketIoSocket> localSockets();

    /**
     * The rooms that have sockets of this process in this namespace, each socket's own room included (Node's
     * {@code io.of(name).adapter.rooms}, whose keys are the same). A snapshot; in a cluster, every server lists its own.
     */
    Set<String> rooms();

    /** The local socket with this id, or {@code null}. */
    SocketIoSocket socket(String id);

    /**
     * Sends an event to the other servers of the cluster (not to clients): their {@link OnBroadcast} methods for
     * the event receive it.
     */
    void serverSideEmit(String event, Object... args);

    /**
     * Like {@link #serverSideEmit(String, Object...)}, and collects the answer of every other server (the value
     * its {@link OnBroadcast} method returned), or fails with {@link AckTimeoutException} after the timeout.
     */
    Uni<List<JsonNode>> serverSideEmitWithAck(String event, Object... args);

    /** Like {@link #serverSideEmitWithAck(String, Object...)}, waiting for the answers (not on an event loop). */
    default List<JsonNode> serverSideEmitWithAckAndAwait(String event, Object... args) {
        return serverSideEmitWithAck(event, args).await().indefinitely();
    }

    /** The number of servers (workers, hosts) in the cluster, this one included. */
    Uni<Integer> serverCount();

    /** Like {@link #serverCount()}, waiting for the answer (not on an event loop). */
    default int serverCountAndAwait() {
        return serverCount().await().indefinitely();
    }
}
