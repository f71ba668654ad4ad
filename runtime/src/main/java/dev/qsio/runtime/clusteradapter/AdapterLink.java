package dev.qsio.runtime.clusteradapter;

import java.util.function.Consumer;

import dev.qsio.RoomEvent;
import dev.qsio.runtime.adapter.BroadcastOptions;
import dev.qsio.runtime.adapter.LocalSockets;
import io.vertx.core.Future;

/**
 * How the {@link ClusterHub} reaches the other servers: it encodes {@link AdapterMessage}s in its wire format and
 * carries them (Node's {@code ClusterAdapter.doPublish}/{@code doPublishResponse}). One over the local bus between the
 * workers of a host ({@link BusAdapterLink}); each wire between hosts has its own, in the format of Node's adapter for
 * the same service, so that Node servers share the fleet (Node's newer adapters all write {@link ClusterAdapterMessages};
 * {@link NodeMessages} has the pieces they share).
 * <p>
 * What a link guarantees the hub:
 * <ul>
 * <li>every other server of the fleet that serves the namespace receives each message {@link #publish}ed, once; a
 * server does not receive its own (unless {@link #deliversOwn} says it is delivered when it comes back);</li>
 * <li>the messages one server publishes in one namespace arrive in the order it published them (a recovered client's
 * missed broadcasts, then the live ones, rely on it);</li>
 * <li>what arrives is given to {@link ClusterHub#onMessage} with the sender's member id (the one its {@link #self()}
 * returns, which is also its member id on the wire's bus), on a Vert.x context, one message after the other; a
 * response goes to the requester only ({@link #respond}), and carries the request's id;</li>
 * <li>when a server leaves (its heartbeats stop, the wire's bus says so), {@link ClusterHub#onMemberLeft} is called, so
 * that requests stop waiting for it.</li>
 * </ul>
 * A message that cannot be decoded is logged at debug and dropped; nothing it holds may disturb the others.
 */
public interface AdapterLink {

    /** This server's member id: the origin of what it sends (its id on the wire's bus). */
    String self();

    /** Starts delivering the other servers' messages to the hub (called once, by the hub's constructor). */
    void start(ClusterHub hub);

    /**
     * Sends a broadcast or a request ({@link AdapterMessage.Broadcast}, {@link AdapterMessage.SocketsOperation},
     * {@link AdapterMessage.FetchSockets}, {@link AdapterMessage.ServerSideEmit}) to every other server.
     */
    void publish(AdapterMessage message);

    /** Sends a response (the other kinds of {@link AdapterMessage}) to the server that made the request. */
    void respond(String requester, AdapterMessage response);

    /**
     * The other servers that a request in this namespace waits for now: by name where the wire knows its members, or
     * only counted ({@link Others#counted}, Node's redis adapter counts a channel's subscribers). May ask the service.
     */
    Future<Others> others(String namespace);

    /** The servers a broadcast with acknowledgements waits for, not counting this one, as last known (no I/O). */
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
