package dev.qsio.runtime.clusteradapter;

import java.util.function.Consumer;

import dev.qsio.RoomEvent;
import dev.qsio.runtime.adapter.BroadcastOptions;
import dev.qsio.runtime.adapter.LocalSockets;
import io.vertx.core.Future;

/**
 * How the {@link ClusterHub} reaches the other servers: it encodes {@link AdapterMessage}s in its wire format and
 * carries them (Node's {@code ClusterAdapter.doPublish}/{@code doPublishResponse}). One over the local bus between the
 * workers of a host, one per format of Node's Redis adapters, and the PostgreSQL wire's (package {@code postgres}).
 */
public interface ClusterTransport {

    /** This server's member id: the origin of what it sends. */
    String self();

    /** Starts delivering the other servers' messages to the hub. */
    void start(ClusterHub hub);

    /** Sends a broadcast or a request to every other server. */
    void publish(AdapterMessage message);

    /** Sends a response to the server that made the request. */
    void respond(String requester, AdapterMessage response);

    /** The other servers that a request in this namespace waits for now. */
    Future<Others> others(String namespace);

    /** The servers a broadcast with acknowledgements waits for, not counting this one, as last known. */
    Others othersNow();

    /**
     * The servers a broadcast with acknowledgements in {@code namespace} waits for, as last known; by default those of
     * {@link #othersNow()}. A wire whose servers are counted per namespace (Node's {@code ClusterAdapterWithHeartbeat},
     * where each namespace's adapter has an id of its own) says so here.
     */
    default Others othersNow(String namespace) {
        return othersNow();
    }

    /** A namespace's adapter was created here: its channels are wanted. */
    default void opened(String namespace) {
    }

    /** A namespace's adapter closed. */
    default void closed(String namespace) {
    }

    /**
     * What this wire does when a room of a namespace is created or deleted here (Node's sharded adapter subscribes to
     * a channel per room), or null when nothing.
     */
    default Consumer<RoomEvent> roomWatcher(LocalSockets namespace) {
        return null;
    }

    /**
     * Whether this server's own broadcasts of these options come back through the wire and are delivered to local
     * clients then, rather than at once (the Redis wire with connection state recovery: every server delivers the
     * logged broadcasts in the log's order).
     */
    default boolean deliversOwn(BroadcastOptions options) {
        return false;
    }
}
