package dev.qsio.runtime.adapter;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

import com.fasterxml.jackson.databind.JsonNode;

import dev.qsio.RemoteSocket;
import dev.qsio.runtime.protocol.Encoded;
import dev.qsio.runtime.server.Namespace;

/**
 * The other servers of a cluster as a {@link ClusterAdapter} reaches them: over the local bus with the cluster
 * adapter's messages ({@link ClusterAdapterHub}), or over Redis with the messages of Node's
 * {@code @socket.io/redis-adapter} ({@link RedisAdapterHub}). Each operation reaches the other servers only; the
 * adapter has applied it locally.
 */
interface Peers {

    void broadcast(String namespace, Encoded packet, String event, BroadcastOptions options);

    void broadcastWithAck(String namespace, String event, Object[] args, BroadcastOptions options, long timeoutMs,
            IntConsumer clientCount, Consumer<JsonNode> ack);

    /** The number of servers, this one included, as last known. */
    int serverCount();

    CompletableFuture<List<RemoteSocket>> fetchSockets(Namespace namespace, BroadcastOptions options);

    /** Join ({@link AdapterMessage#SOCKETS_JOIN}), leave or disconnect the selected sockets of the other servers. */
    void socketsOperation(AdapterMessage type, String namespace, BroadcastOptions options, Set<String> rooms,
            boolean close);

    void serverSideEmit(String namespace, String event, Object[] args, Consumer<List<JsonNode>> ack,
            Consumer<Throwable> timeout, long timeoutMs);

    /**
     * Whether the broadcast comes back to this server through the other servers' channel and is delivered to local
     * clients then, rather than at once (the redis bus with connection state recovery: every server delivers the
     * logged broadcasts in the log's order).
     */
    default boolean deliversOwn(BroadcastOptions options) {
        return false;
    }

    /** The namespace's adapter closed. */
    default void closed(Namespace namespace) {
    }
}
