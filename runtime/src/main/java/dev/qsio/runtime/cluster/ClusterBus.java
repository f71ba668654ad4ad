package dev.qsio.runtime.cluster;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import dev.qsio.ClusterInfo;
import dev.qsio.runtime.adapter.AdapterFactory;
import dev.qsio.runtime.adapter.InMemoryAdapter;
import dev.qsio.runtime.adapter.InMemorySessionStore;
import dev.qsio.runtime.adapter.SessionStore;
import dev.qsio.runtime.clusteradapter.ClusterAdapters;
import dev.qsio.runtime.bus.Bus;
import dev.qsio.runtime.bus.LocalBus;
import dev.qsio.runtime.bus.RedisBus;
import dev.qsio.runtime.bus.RedisChannels;
import dev.qsio.runtime.bus.RedisMisconfiguration;
import dev.qsio.runtime.bus.ShardedRedisChannels;
import dev.qsio.runtime.bus.StandaloneRedisChannels;
import dev.qsio.runtime.config.ClusterConfig;
import dev.qsio.runtime.config.RedisConfig;
import dev.qsio.runtime.config.SocketIoRuntimeConfig;
import dev.qsio.runtime.engine.EnginePeers;
import dev.qsio.runtime.handoff.ConnectionHandOff;
import dev.qsio.runtime.http.ListeningChannel;
import dev.qsio.runtime.protocol.ProtocolJson;
import dev.qsio.runtime.requests.RequestTracker;
import dev.qsio.runtime.server.BroadcastHooks;
import dev.qsio.runtime.server.ServerStats;
import dev.qsio.runtime.server.Tracing;
import io.quarkus.runtime.configuration.ConfigurationException;
import io.quarkus.vertx.http.HttpServer;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;

/**
 * How this server reaches the other servers of its cluster, chosen once at startup from its role and configuration:
 * the bus (the local bus to the primary in a worker; Redis with {@code quarkus.socketio.bus=redis}; none in a single
 * process), and what rides on it: the engine's peers, the namespaces' adapter factory and the session store of
 * connection state recovery.
 */
@Singleton
public class ClusterBus {

    private static final Logger LOG = Logger.getLogger(ClusterBus.class);

    static final String ENV_BUS_PORT = "QSIO_BUS_PORT";
    static final String ENV_BUS_SECRET = "QSIO_BUS_SECRET";
    static final String ENV_SLOT = "QSIO_BUS_SLOT";
    /** The directory of the host's hand-off sockets, made by the primary. */
    static final String ENV_HANDOFF_DIR = "QSIO_HANDOFF_DIR";

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
    RedisConfig redisConfig;

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

    /** A worker's link to its primary (supervision; also the bus between workers unless Redis is used). */
    private LocalBus local;
    private RedisBus redis;
    /** What the engine and adapters ride on, or null in a single process without Redis. */
    private Bus peers;
    private AdapterFactory adapters;
    private SessionStore sessions = SessionStore.NONE;
    /** The sessions of this host and the hand-off of their connections, in a worker that hands connections over. */
    private HostSessions host;

    @PostConstruct
    void init() {
        boolean recovery = runtime.connectionStateRecovery().enabled();
        long window = runtime.connectionStateRecovery().maxDisconnectionDuration().toMillis();
        if (identity.role() != ClusterInfo.Role.SINGLE && recovery && runtime.bus() != SocketIoRuntimeConfig.BusKind.REDIS) {
            throw new ConfigurationException(
                    "quarkus.socketio.connection-state-recovery.enabled=true in a cluster needs quarkus.socketio.bus=redis: "
                            + "the state of a socket must outlive its worker and be found by whichever worker the client "
                            + "reconnects to",
                    Set.of("quarkus.socketio.connection-state-recovery.enabled", "quarkus.socketio.bus"));
        }
        if (identity.role() == ClusterInfo.Role.WORKER) {
            local = new LocalBus(vertx, identity.nodeId(), Integer.parseInt(requireEnv(ENV_SLOT)), identity.workerId(),
                    Integer.parseInt(requireEnv(ENV_BUS_PORT)), requireEnv(ENV_BUS_SECRET), cluster.heartbeatInterval());
        }
        if (identity.role() != ClusterInfo.Role.PRIMARY && runtime.bus() == SocketIoRuntimeConfig.BusKind.REDIS) {
            boolean sharded = redisConfig.mode() == RedisConfig.Mode.CLUSTER;
            if (sharded && redisConfig.adapter() == RedisConfig.Adapter.STREAMS) {
                throw new ConfigurationException("quarkus.socketio.redis.adapter=streams is not available with "
                        + "quarkus.socketio.redis.mode=cluster yet: a Redis Cluster carries the format of Node's sharded "
                        + "adapter", Set.of("quarkus.socketio.redis.adapter", "quarkus.socketio.redis.mode"));
            }
            RedisChannels channels;
            try {
                channels = sharded ? new ShardedRedisChannels(vertx, redisConfig) : new StandaloneRedisChannels(vertx,
                        redisConfig);
            } catch (IllegalArgumentException e) {
                String key = e.getMessage().startsWith("quarkus.socketio.redis.database") ? "quarkus.socketio.redis.database"
                        : "quarkus.socketio.redis.url";
                throw new ConfigurationException(e.getMessage(), Set.of(key));
            }
            redis = new RedisBus(vertx, channels, redisConfig.key(), identity.nodeId(), identity.workerId(),
                    cluster.heartbeatInterval(), cluster.heartbeatTimeout());
        }
        peers = redis != null ? redis : local;
        if (local != null) {
            host = handOff(local);
        }
        ClusterAdapters.Parts parts = new ClusterAdapters.Parts(json, hooks, stats, requests,
                cluster.requestTimeout().toMillis(), identity.workerId(), identity.nodeId(), tracing);
        if (redis != null) {
            if (redis.channels().sharded()) {
                // on a Redis Cluster, the format of Node's createShardedAdapter
                ClusterAdapters.OnRedis onRedis = ClusterAdapters.overShardedRedis(vertx, redis, redisConfig.key(),
                        parts, redisConfig.subscriptionMode(), recovery ? window : 0);
                adapters = onRedis.adapters();
                sessions = onRedis.sessions();
            } else if (redisConfig.adapter() == RedisConfig.Adapter.STREAMS) {
                // the format of Node's @socket.io/redis-streams-adapter: a stream, and recovery across Node and Quarkus
                ClusterAdapters.OnRedis onRedis = ClusterAdapters.overRedisStreams(vertx, redis, redisConfig.key(), parts,
                        redisConfig.streams().maxLen(), redisConfig.streams().sessionKeyPrefix(), recovery ? window : 0);
                adapters = onRedis.adapters();
                sessions = onRedis.sessions();
            } else {
                // on one Redis, adapter messages use the wire format of Node's @socket.io/redis-adapter
                ClusterAdapters.OnRedis onRedis = ClusterAdapters.overRedis(vertx, redis, redisConfig.key(), parts,
                        recovery ? window : 0);
                adapters = onRedis.adapters();
                sessions = onRedis.sessions();
            }
        } else if (local != null) {
            adapters = ClusterAdapters.overBus(local, parts);
        } else {
            adapters = namespace -> new InMemoryAdapter(namespace, json.encoder(), requests);
            if (recovery) {
                sessions = new InMemorySessionStore(vertx, window);
            }
        }
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

    @Produces
    @Singleton
    EnginePeers enginePeers() {
        return peers == null ? EnginePeers.NONE : new BusEnginePeers(peers, host);
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
            handOff.start(kind -> ListeningChannel.find(vertx,
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

    /** The Redis bus, or null when this server does not use Redis. */
    public RedisBus redis() {
        return redis;
    }

    /**
     * Connects to Redis, waiting a few seconds for it. A server whose Redis is not there yet still starts, serves its
     * own clients and keeps trying; its readiness reports the bus down meanwhile.
     */
    void connectRedis() {
        if (redis == null) {
            return;
        }
        try {
            redis.start().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RedisMisconfiguration m) {
                throw new ConfigurationException(m.getMessage(), Set.of(m.key()));
            }
            LOG.warnf("Socket.IO bus: Redis at %s is not reachable yet (%s); this server starts alone and joins the "
                    + "cluster when Redis answers", redis.channels().displayUrl(),
                    e.getCause() != null ? e.getCause().getMessage() : e.toString());
        } catch (Exception e) {
            LOG.warnf("Socket.IO bus: Redis at %s is not reachable yet (%s); this server starts alone and joins the "
                    + "cluster when Redis answers", redis.channels().displayUrl(),
                    e.getCause() != null ? e.getCause().getMessage() : e.toString());
        }
    }

    /** Persists the state of connected sockets while the server runs (the sessions in Redis expire otherwise). */
    boolean sessionsInRedis() {
        return redis != null && sessions.enabled();
    }

    void close() {
        if (redis != null) {
            redis.close();
        }
        if (host != null) {
            host.connections().close();
        }
    }
}
