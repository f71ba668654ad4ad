package dev.qsio.runtime.cluster;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import dev.qsio.ClusterInfo;
import dev.qsio.runtime.adapter.AdapterFactory;
import dev.qsio.runtime.adapter.InMemoryAdapter;
import dev.qsio.runtime.adapter.IdentityLeases;
import dev.qsio.runtime.adapter.InMemorySessionStore;
import dev.qsio.runtime.adapter.LocalIdentityLeases;
import dev.qsio.runtime.adapter.SessionStore;
import dev.qsio.runtime.bus.Bus;
import dev.qsio.runtime.bus.LocalBus;
import dev.qsio.runtime.clusteradapter.BusAdapterLink;
import dev.qsio.runtime.clusteradapter.ClusterHub;
import dev.qsio.runtime.clusteradapter.AdapterLink;
import dev.qsio.runtime.config.ClusterConfig;
import dev.qsio.runtime.config.SocketIoRuntimeConfig;
import dev.qsio.runtime.engine.OtherServers;
import dev.qsio.runtime.handoff.Acceptor;
import dev.qsio.runtime.handoff.ConnectionHandOff;
import dev.qsio.runtime.internals.FrameworkInternals;
import dev.qsio.runtime.protocol.ProtocolJson;
import dev.qsio.runtime.remote.RemoteEngines;
import dev.qsio.runtime.requests.RequestTracker;
import dev.qsio.runtime.server.BroadcastHooks;
import dev.qsio.runtime.server.ServerFigure;
import dev.qsio.runtime.server.ServerStats;
import dev.qsio.runtime.server.WarmUpRoute;
import dev.qsio.runtime.spans.Tracing;
import dev.qsio.runtime.wire.Wire;
import dev.qsio.runtime.wire.WireContext;
import dev.qsio.runtime.wire.WireProvider;
import io.quarkus.runtime.configuration.ConfigurationException;
import io.netty.channel.Channel;
import io.quarkus.vertx.http.HttpServer;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;

/**
 * How this server reaches the other servers of its cluster, chosen once at startup from its role and configuration:
 * the bus (the local bus to the primary in a worker; a wire between hosts with {@code quarkus.socketio.bus=<wire>},
 * see {@link Wires}; none in a single process), and what rides on it: the cross-server engine, the namespaces'
 * adapter factory and the session store of connection state recovery.
 */
@Singleton
public class ClusterBus {

    private static final Logger LOG = Logger.getLogger(ClusterBus.class);

    static final String ENV_BUS_PORT = "QSIO_BUS_PORT";
    static final String ENV_BUS_SECRET = "QSIO_BUS_SECRET";
    static final String ENV_SLOT = dev.qsio.runtime.webtransport.QuicRelay.ENV_SLOT;
    /** The directory of the host's hand-off sockets, made by the primary. */
    static final String ENV_HANDOFF_DIR = "QSIO_HANDOFF_DIR";
    /** The primary's warm-up port ({@link ConnectionRouting}); -1 when it has none. */
    static final String ENV_WARM_UP_PORT = "QSIO_WARM_UP_PORT";
    /**
     * Set to {@code true} for a worker started after its predecessor crashed: it starts while the other workers take a
     * herd of reconnections, which its background warm-up would slow down. Not for one that replaces another in a
     * rolling restart: that one's clients come to it only once it is ready.
     */
    static final String ENV_RESPAWN = "QSIO_WORKER_RESPAWN";

    /** The application's HTTP server, for the ports its listeners bound. */
    @Inject
    HttpServer httpServer;

    @Inject
    Vertx vertx;

    @Inject
    ClusterInfo identity;

    @Inject
    ClusterConfig cluster;

    @Inject
    SocketIoRuntimeConfig runtime;

    @Inject
    ProtocolJson json;

    @Inject
    BroadcastHooks hooks;

    @Inject
    ServerStats stats;

    @Inject
    RequestTracker requests;

    @Inject
    Tracing tracing;

    /** A worker's link to its primary (supervision; also the bus between workers unless a wire is used). */
    private LocalBus local;
    /** The wire between hosts ({@code quarkus.socketio.bus}), or null for {@code local}. */
    private WireProvider provider;
    /** This server's wire, or null: {@code local}, or the primary (which serves no sockets). */
    private Wire wire;
    /** What a wire is made with. */
    private WireContext context;
    /** What the engine and adapters ride on, or null in a single process without a wire. */
    private Bus peers;
    private AdapterFactory adapters;
    private SessionStore sessions = SessionStore.NONE;
    private IdentityLeases leases;
    /** The sessions of this host and the hand-off of their connections, in a worker that hands connections over. */
    private HostSessions host;
    /** In a worker, the warm-up's way through the primary (see {@link WarmUpRoute}). */
    private final ThroughPrimary warmUpRoute = new ThroughPrimary();

    @PostConstruct
    void init() {
        boolean recovery = runtime.connectionStateRecovery().enabled();
        long window = runtime.connectionStateRecovery().maxDisconnectionDuration().toMillis();
        provider = Wires.chosen(runtime.bus());
        context = new WireContext(vertx, json, identity.nodeId(), identity.workerId(), cluster.heartbeatInterval(),
                cluster.heartbeatTimeout(), recovery ? window : 0,
                runtime.connectionStateRecovery().maxLogBytes().asLongValue());
        if (identity.role() == ClusterInfo.Role.WORKER) {
            local = new LocalBus(vertx, identity.nodeId(), Integer.parseInt(requireEnv(ENV_SLOT)), identity.workerId(),
                    Integer.parseInt(requireEnv(ENV_BUS_PORT)), requireEnv(ENV_BUS_SECRET), cluster.heartbeatInterval());
        }
        if (identity.role() != ClusterInfo.Role.PRIMARY && provider != null) {
            wire = provider.create(context);
        }
        peers = wire != null ? wire.bus() : local;
        if (local != null) {
            host = handOff(local);
        }
        if (wire != null) {
            adapters = hub(wire.adapterLink()).adapters();
            sessions = wire.sessionStore();
            leases = wire.identityLeases();
        } else if (local != null) {
            adapters = hub(new BusAdapterLink(local, json)).adapters();
            leases = new ControlIdentityLeases(local, vertx, cluster.requestTimeout().toMillis());
            if (recovery) {
                sessions = new ControlSessionStore(local, vertx, json.mapper(), cluster.requestTimeout().toMillis(),
                        identity.workerId());
                int exercise = ControlSessionStore.exerciseSessions(runtime);
                if (exercise > 0 && "true".equals(System.getenv(ENV_RESPAWN))) {
                    // measured (bench/failover --recovery): a respawned worker's exercise, during the herd its
                    // predecessor's death sent to the others, made that herd slower by more than it gained later
                    LOG.debugf("Worker %d replaces one that crashed: connection state recovery's session "
                            + "store is not warmed up while the other workers take its clients", identity.workerId());
                } else {
                    ControlSessionStore.exerciseInBackground(json.mapper(), exercise);
                }
            }
        } else {
            leases = new LocalIdentityLeases();
            adapters = namespace -> new InMemoryAdapter(namespace, json.encoder(), requests);
            if (recovery && identity.role() == ClusterInfo.Role.SINGLE) {
                sessions = new InMemorySessionStore(vertx, window,
                        runtime.connectionStateRecovery().maxLogBytes().asLongValue(), false);
            }
        }
    }

    /** The cluster adapter of this server over a link. */
    private ClusterHub hub(AdapterLink link) {
        return new ClusterHub(link, json, hooks, new ClusterHub.Counts(stats.adder(ServerFigure.BROADCASTS_SENT),
                stats.adder(ServerFigure.BROADCASTS_RECEIVED)), requests, tracing, cluster.requestTimeout().toMillis(),
                identity.workerId(), identity.nodeId());
    }

    private static String requireEnv(String env) {
        String v = System.getenv(env);
        if (v == null) {
            throw new IllegalStateException("CLUSTER_WORKER=true but " + env + " is missing: workers are started by the "
                    + "primary, not by hand");
        }
        return v;
    }

    @Produces
    @Singleton
    AdapterFactory adapterFactory() {
        return adapters;
    }

    @Produces
    @Singleton
    SessionStore sessionStore() {
        return sessions;
    }

    /** Where the connections of each identity are counted: the wire's service, the primary, or this process. */
    /** Where the warm-up's clients connect: through the primary's warm-up port in a worker, else straight. */
    @Produces
    @Singleton
    WarmUpRoute warmUpRoute() {
        return host == null ? WarmUpRoute.DIRECT : warmUpRoute;
    }

    /**
     * A worker's warm-up through its primary's warm-up port ({@code QSIO_WARM_UP_PORT}): each request names this
     * worker's slot, the primary hands each connection over as {@link ConnectionHandOff#WARM_UP}, and this worker serves
     * it on the warm-up's private server while that listens.
     */
    private final class ThroughPrimary implements WarmUpRoute {
        private volatile io.vertx.core.http.HttpServer privateServer;

        @Override
        public Via via() {
            String port = System.getenv(ENV_WARM_UP_PORT);
            int p;
            try {
                p = port == null ? -1 : Integer.parseInt(port.strip());
            } catch (NumberFormatException e) {
                p = -1;
            }
            return p <= 0 || local == null ? null
                    : new Via(p, Acceptor.WARM_UP_PARAM + "=" + local.slot());
        }

        @Override
        public void serving(io.vertx.core.http.HttpServer server) {
            privateServer = server;
        }

        @Override
        public long handedOver() {
            return host == null ? 0 : host.connections().warmUpReceived();
        }

        /** The private server's listening channel, or null when no warm-up listens. */
        Channel listening() {
            io.vertx.core.http.HttpServer server = privateServer;
            return server == null ? null : FrameworkInternals.listeningChannel(server);
        }
    }

    @Produces
    @Singleton
    IdentityLeases identityLeases() {
        return leases != null ? leases : new LocalIdentityLeases();
    }

    /** The engine's view of the other servers: the cross-server engine over the bus, or none in a single process. */
    @Produces
    @Singleton
    OtherServers.Factory otherServers() {
        return peers == null ? OtherServers.Factory.NONE : new RemoteEngines(new BusEnginePeers(peers, host),
                cluster.requestTimeout().toMillis(), cluster.delayedConnectionTimeout().toMillis());
    }

    /**
     * The connections of this host: the receiving sockets on which the primary (and the other workers) hand this
     * worker connections, bound now; with {@code connection-hand-off} on, a link to each other worker opens as it
     * joins the bus, so that a request reaching this worker for another's session is handed there too.
     */
    private HostSessions handOff(LocalBus local) {
        Path dir = Path.of(requireEnv(ENV_HANDOFF_DIR));
        // the worker's private listeners (see ClusterRoleInterceptor): connections handed over are served there; they
        // listen on ports the kernel picked, known once they are bound (the first connection comes after that)
        // the largest request a peer hands over: a body up to maxHttpBufferSize, and its headers
        ConnectionHandOff handOff = new ConnectionHandOff(vertx, dir, local.slot(), runtime.maxHttpBufferSize() + 64 * 1024);
        try {
            handOff.start(kind -> kind == ConnectionHandOff.WARM_UP ? warmUpRoute.listening()
                    : FrameworkInternals.listeningChannel(vertx,
                            kind == ConnectionHandOff.TLS ? httpServer.getSecurePort() : httpServer.getPort()));
        } catch (IOException | RuntimeException e) {
            handOff.close();
            throw new IllegalStateException("Worker " + identity.workerId() + " cannot receive connections from the "
                    + "primary on " + dir + ": " + e.getMessage(), e);
        }
        if (cluster.connectionHandOff()) {
            local.listen(Bus.Channel.CONTROL, new Bus.Listener() {
                @Override
                public void onMessage(String from, Buffer payload) {
                }

                @Override
                public void onMemberJoined(String member) {
                    int slot = local.slotOfMember(member);
                    if (slot > 0) {
                        handOff.connect(slot);
                    }
                }

                @Override
                public void onMemberLeft(String member) {
                    int slot = local.slotOfMember(member);
                    if (slot > 0) {
                        handOff.forget(slot);
                    }
                }
            });
        }
        return new HostSessions(identity.nodeId(), local.slot(), local, handOff, cluster.connectionHandOff());
    }

    /** The hand-off of connections to the other workers of this host, or null. */
    public ConnectionHandOff connectionHandOff() {
        return host == null ? null : host.connections();
    }

    /** A worker's link to its primary, or null when this process is not a worker. */
    public LocalBus local() {
        return local;
    }

    /** This server's wire between hosts, or null ({@code local}, or the primary). */
    public Wire wire() {
        return wire;
    }

    /** The wire between hosts the configuration chooses, also in the primary; null for {@code local}. */
    public WireProvider wireProvider() {
        return provider;
    }

    /** Whether a server is not ready while it cannot reach its wire between hosts. */
    public boolean readinessRequiresWire() {
        return provider != null && provider.readinessRequiresUp(context);
    }

    /**
     * Connects the wire, waiting a few seconds for it. A server whose wire is not there yet still starts, serves its
     * own clients and keeps trying; its readiness reports the wire down meanwhile.
     */
    void connectWire() {
        if (wire == null) {
            return;
        }
        try {
            wire.start().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof ConfigurationException c) {
                throw c;
            }
            warnNotReachable(e.getCause() != null ? e.getCause().getMessage() : e.toString());
        } catch (Exception e) {
            warnNotReachable(e.getCause() != null ? e.getCause().getMessage() : e.toString());
        }
    }

    private void warnNotReachable(String why) {
        LOG.warnf("Socket.IO bus: %s at %s is not reachable yet (%s); this server starts alone and joins the cluster "
                + "when %s answers", provider.displayName(), wire.address(), why, provider.displayName());
    }

    /** Persists the state of connected sockets while the server runs (the sessions on the wire expire otherwise). */
    boolean sessionsOnWire() {
        return wire != null && sessions.enabled();
    }

    /** How long a stopping server waits for {@link Wire#flushed()} before it closes the wire anyway. */
    static final long FLUSH_BOUND_MS = 5000;

    void close() {
        if (wire != null) {
            var flushed = wire.flushed().toCompletionStage().toCompletableFuture();
            try {
                try {
                    flushed.get(100, TimeUnit.MILLISECONDS);
                } catch (TimeoutException slow) {
                    LOG.infof("Socket.IO bus: waiting for what this server sent to %s to be stored before it stops "
                            + "(at most %d ms)", wire.address(), FLUSH_BOUND_MS);
                    flushed.get(FLUSH_BOUND_MS - 100, TimeUnit.MILLISECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                LOG.warnf("Socket.IO bus: what this server sent to %s was not all stored within %d ms of its stop (%s); "
                        + "clients whose last broadcasts or session state it held may not recover", wire.address(),
                        FLUSH_BOUND_MS, e instanceof TimeoutException ? "timed out" : e.getCause());
            }
            wire.close();
        }
        if (host != null) {
            host.connections().close();
        }
    }
}
