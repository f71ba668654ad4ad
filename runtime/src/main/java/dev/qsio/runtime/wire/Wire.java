package dev.qsio.runtime.wire;

import dev.qsio.runtime.adapter.IdentityLeases;
import dev.qsio.runtime.adapter.SessionStore;
import dev.qsio.runtime.bus.Bus;
import dev.qsio.runtime.clusteradapter.AdapterLink;
import io.vertx.core.Future;

/**
 * A wire between the servers of a cluster that spans hosts (Redis, PostgreSQL): everything a server needs to reach
 * the servers of other hosts, in one package, made by its {@link WireProvider} when {@code quarkus.socketio.bus} names
 * it. Without a wire ({@code quarkus.socketio.bus=local}) the workers of a host reach each other on the local bus of
 * their primary, and a single process reaches nobody.
 * <p>
 * A wire is made once per server (a worker, or a single process; never in the primary, which serves no sockets),
 * before the HTTP server listens, and is used from then on by these parts of the server, which never see anything else of it:
 * <ul>
 * <li>the engine's sessions owned by other servers ride on its {@link #bus()} (channel {@link Bus.Channel#ENGINE}), which
 * also says who the members are;</li>
 * <li>the cluster adapter's messages (broadcasts, requests and their responses) travel through its
 * {@link #adapterLink()}, in the wire's own format (for Node interop: the format of Node's adapter for the same
 * service);</li>
 * <li>connection state recovery keeps its sessions and broadcast log in its {@link #sessionStore()};</li>
 * <li>the cap of connections per identity keeps its leases in its {@link #identityLeases()}.</li>
 * </ul>
 * Readiness, metrics, the cluster endpoint and the Admin UI read its {@link #figures()}.
 * <p>
 * Threads: {@link #start()} and {@link #close()} are called on a worker thread of the startup and shutdown; the rest
 * may be called from any thread, and the wire delivers what it receives on a Vert.x context of its own (bus listeners,
 * the link's {@code ClusterHub}), never blocking it.
 * <p>
 * Outages: a wire that loses its service goes down ({@link Bus#isUp()} false, {@link WireFigures#up()} false), forgets
 * the other members (each listener hears {@link Bus.Listener#onMemberLeft}), drops what it is asked to send meanwhile
 * (counted in {@link WireFigures#dropped()}), reconnects by itself with a growing delay, and meets the members again
 * when it is back. It must notice a service that keeps the connection open but answers nothing (a heartbeat of its own
 * that must come back within {@code quarkus.socketio.cluster.heartbeat-timeout}).
 */
public interface Wire {

    /**
     * How this server reaches the other servers of the fleet, on every host: membership (who is alive, by heartbeats
     * every {@link WireContext#heartbeat()}, a member silent for {@link WireContext#heartbeatTimeout()} has left) and
     * messages to all members or to one. It must carry at least {@link Bus.Channel#ENGINE}; payloads are opaque bytes,
     * delivered to each member once, in the order one sender sent them. Member ids are {@code <node id>/<worker id>.<random>}
     * ({@link Bus#sameHost} reads the node part).
     */
    Bus bus();

    /**
     * The cluster adapter's link on this wire: encodes the messages of the server's {@code ClusterHub} in the
     * wire's format and carries them, and says which servers a request waits for. Made once; the hub starts it.
     */
    AdapterLink adapterLink();

    /**
     * Where connection state recovery keeps sessions and the broadcast log, when
     * {@link WireContext#recoveryWindowMs()} is above 0 (the store must then outlive any one server, so that a client
     * may come back to any server of any host within the window); {@link SessionStore#NONE} otherwise.
     */
    SessionStore sessionStore();

    /**
     * Where the servers of every host count the connections of each identity
     * ({@code quarkus.socketio.limits.sessions-per-identity}): in the wire's service, so that the cap holds across
     * hosts and a dead server's leases expire there.
     */
    IdentityLeases identityLeases();

    /**
     * Connects to the service. The future completes once connected, or fails: with a
     * {@code io.quarkus.runtime.configuration.ConfigurationException} naming the key when the configuration is wrong
     * (the server then fails to start), with anything else when the service is not there yet (the server then starts
     * alone, serves its own clients, says it is not ready, and the wire keeps trying). The server waits a few seconds
     * for it at most.
     */
    Future<Void> start();

    /**
     * Completes once what this server asked of the wire before the call (publications, broadcast log entries, writes
     * of the session store) has reached the service, or failed. A stopping server waits for it, bounded, before
     * {@link #close()}: the last sessions it closed and the last broadcasts its clients received must be stored, or
     * those clients could not recover elsewhere. A wire whose {@link #close()} already sends what was asked before it
     * closes keeps this default.
     */
    default Future<Void> flushed() {
        return Future.succeededFuture();
    }

    /** Says goodbye to the other members where the wire can, and closes its connections (the server stops). */
    void close();

    /** What the wire reports of itself now (read often, by metrics and heartbeats: cheap, without I/O). */
    WireFigures figures();

    /** Where the service is, for people (an address without credentials), as the readiness and the logs show it. */
    String address();
}
