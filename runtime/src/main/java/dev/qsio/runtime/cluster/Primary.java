package dev.qsio.runtime.cluster;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.qsio.Cluster;
import dev.qsio.ClusterInfo;
import dev.qsio.WorkerInfo;
import dev.qsio.WorkerLifecycleEvent;
import dev.qsio.WorkerLifecycleEvent.Kind;
import dev.qsio.runtime.adapter.InMemorySessionStore;
import dev.qsio.runtime.cluster.WorkerProcesses.Incarnation;
import dev.qsio.runtime.cluster.WorkerProcesses.ManagedWorker;
import dev.qsio.runtime.config.ClusterConfig;
import dev.qsio.runtime.config.SocketIoRuntimeConfig;
import dev.qsio.runtime.server.WarmUp;
import dev.qsio.runtime.wire.WireProvider;
import dev.qsio.runtime.webtransport.QuicRelay;
import io.quarkus.runtime.LaunchMode;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;

/**
 * The primary of a cluster and its control API ({@link Cluster}): it puts its parts together at startup and takes
 * them apart at shutdown. Its parts each do one job: {@link WorkerProcesses} starts and supervises the workers,
 * {@link ConnectionRouting} holds the application's port and gives each connection to a worker, {@link PrimaryBus}
 * relays the local bus and answers the workers on it, and {@link RollingRestart} replaces them one at a time. It
 * runs no handlers of the application.
 */
@Singleton
public class Primary implements Cluster {

    private static final Logger LOG = Logger.getLogger(Primary.class);

    @Inject
    Vertx vertx;

    @Inject
    ClusterConfig config;

    @Inject
    ClusterInfo identity;

    @Inject
    Event<WorkerLifecycleEvent> events;

    @Inject
    ObjectMapper mapper;

    @Inject
    SocketIoRuntimeConfig runtime;

    private volatile WorkerProcesses processes;
    private volatile ConnectionRouting routing;
    private volatile PrimaryBus bus;
    private volatile RollingRestart rolling;
    private volatile boolean started;
    private volatile boolean shuttingDown;

    /** Starts the bus relay, the public port and the workers. */
    public synchronized void start() {
        if (started) {
            return;
        }
        if (!vertx.isNativeTransportEnabled()) {
            throw new IllegalStateException("A cluster passes connections from the primary to the workers as file "
                    + "descriptors, which needs Netty's native epoll transport: add the dependency "
                    + "io.netty:netty-transport-native-epoll with classifier linux-x86_64 (on Linux) to the application. "
                    + "Cause: "
                    + vertx.unavailableNativeTransportCause());
        }
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        WireProvider wire = Wires.chosen(runtime.bus());
        processes = new WorkerProcesses(vertx, config, this::fire, new WorkerProcesses.Hooks() {
            @Override
            public void ready(Incarnation inc) {
                routing.retry();
            }

            @Override
            public void exited(Incarnation inc, int workerId) {
                bus.exited(inc, workerId);
                routing.forget(inc.slot);
            }
        });
        rolling = new RollingRestart(processes);
        started = true;
        routing = new ConnectionRouting(processes, identity.nodeId());
        bus = new PrimaryBus(vertx, secret, config, runtime, wire == null ? null : wire.name(), processes, routing,
                this::fire);
        int busPort = bus.start();
        int n = ClusterSettings.workers(config);
        routing.listen(vertx, runtime, config.startTimeout().toMillis(), n);
        LOG.infof("Primary (pid %d) of node %s listening on %s, starting %d workers; cluster bus on 127.0.0.1:%d",
                ProcessHandle.current().pid(), identity.nodeId(), routing.listening(), n, busPort);
        processes.start(n, Map.of(
                Identity.ENV_NODE_ID, identity.nodeId(),
                ClusterBus.ENV_BUS_PORT, String.valueOf(busPort),
                ClusterBus.ENV_BUS_SECRET, secret,
                Worker.ENV_PRIMARY_PID, String.valueOf(ProcessHandle.current().pid()),
                ClusterBus.ENV_HANDOFF_DIR, routing.handOffDir().toString(),
                ClusterBus.ENV_WARM_UP_PORT, String.valueOf(routing.warmUpPort()),
                QuicRelay.ENV_DIR, routing.handOffDir().toString(),
                QuicRelay.ENV_RESET_KEY, routing.quicResetKey()), newWorkerEnvironment(runtime, n),
                replacementEnvironment(runtime));
        Signals.install(this);
    }

    /**
     * What a worker that replaces another in a rolling restart gets on top: the connection path's warm-up, unless the
     * application set {@code quarkus.socketio.warm-up.connections} itself (then every worker has that). All the clients
     * of the worker it replaces come to it within a second or two once that one drains: measured with 1,000 official
     * clients and recovery on ({@code bench/runs/20261129-herd-roll}), their time without a connection went from
     * p50 / p99 2.9 / 4.9 s to 2.0 / 3.6 s. The workers started with the cluster warm up too, with a share of the
     * default ({@link #newWorkerEnvironment}); not one started after a crash, whose clients went to the others
     * meanwhile ({@link WarmUp#connections()}).
     */
    static Map<String, String> replacementEnvironment(SocketIoRuntimeConfig runtime) {
        if (runtime.warmUp().connections().isPresent() || LaunchMode.current() != LaunchMode.NORMAL) {
            return Map.of();
        }
        return Map.of(WARM_UP_CONNECTIONS_ENV, String.valueOf(WarmUp.DEFAULT_CONNECTIONS));
    }

    /**
     * What the first process of a worker gets on top (those the cluster starts with, and those a scaling adds): the
     * connection path's warm-up, its share of {@link WarmUp#DEFAULT_CONNECTIONS} among the workers the cluster starts
     * with (at least {@link #MIN_WARM_UP_SHARE}), unless the application set {@code quarkus.socketio.warm-up.connections}
     * itself. Warmed through the primary's port, two workers served their first ramp 1.68x as fast as cold ones
     * (2,000 sessions each: 0.83 of their warm ramp, against 0.55), for a start of 14 s instead of 2.6 on two CPUs
     * ({@code bench/runs/20261203-warm-up-through-primary}). A worker started after a crash does not: the clients of
     * the one that crashed went to the others meanwhile, and a warm-up beside their herd made it slower.
     */
    static Map<String, String> newWorkerEnvironment(SocketIoRuntimeConfig runtime, int workers) {
        if (runtime.warmUp().connections().isPresent() || LaunchMode.current() != LaunchMode.NORMAL) {
            return Map.of();
        }
        return Map.of(WARM_UP_CONNECTIONS_ENV, String.valueOf(warmUpShare(workers)));
    }

    /** The least a worker's share of the default warm-up may be. */
    static final int MIN_WARM_UP_SHARE = 500;

    /** Each worker's share of {@link WarmUp#DEFAULT_CONNECTIONS} among {@code workers}. */
    static int warmUpShare(int workers) {
        return Math.max(MIN_WARM_UP_SHARE, WarmUp.DEFAULT_CONNECTIONS / Math.max(1, workers));
    }

    /** {@code quarkus.socketio.warm-up.connections} as an environment variable. */
    static final String WARM_UP_CONNECTIONS_ENV = "QUARKUS_SOCKETIO_WARM_UP_CONNECTIONS";

    /** Whether this process is a primary that started its workers. */
    public boolean isStarted() {
        return started;
    }

    /** Whether the primary supervises (started and not shutting down): its liveness. */
    public boolean supervising() {
        return started && !shuttingDown;
    }

    /** Whether every worker of the configured set was ready at least once (the startup probe). */
    public boolean firstFullSetReady() {
        return started && processes.firstFullSetReady();
    }

    /** Connections taken on the public port and given to a worker. */
    public long connectionsRouted() {
        ConnectionRouting r = routing;
        return r == null ? 0 : r.routed();
    }

    /** Connections that found no worker to take them in time (answered 503). */
    public long connectionsUnavailable() {
        ConnectionRouting r = routing;
        return r == null ? 0 : r.unavailable();
    }

    /** Stateless resets sent for the QUIC connections of workers that are gone. */
    public long quicResets() {
        ConnectionRouting r = routing;
        return r == null ? 0 : r.quicResets();
    }

    /** Datagrams of QUIC clients that the primary read and passed to a worker (those of sockets no worker holds). */
    public long quicRelayed() {
        ConnectionRouting r = routing;
        return r == null ? 0 : r.quicRelayed();
    }

    /** The host's UDP sockets for WebTransport, and how many of them a worker holds. */
    public int[] quicSockets() {
        ConnectionRouting r = routing;
        return r == null ? new int[2] : r.quicSockets();
    }

    /** The addresses of the application's port this primary holds ("http://0.0.0.0:8080 and https://..."). */
    String listening() {
        ConnectionRouting r = routing;
        return r == null ? "" : r.listening();
    }

    /** The old processes that drain during a rolling restart, as worker id by pid: never ready. */
    public Map<Long, Integer> draining() {
        return started ? processes.draining() : Map.of();
    }

    /** The store of connection state recovery this primary keeps for its workers, or null. */
    public InMemorySessionStore recoveryStore() {
        PrimaryBus b = bus;
        return b == null ? null : b.recoveryStore();
    }

    /** How many times a worker's process ended without being asked to. */
    public int crashesOf(int workerId) {
        return started ? processes.crashesOf(workerId) : 0;
    }

    /** The configured number of workers the cluster started with (the readiness minimum by default). */
    public int configuredWorkers() {
        return config.workers().orElse(Runtime.getRuntime().availableProcessors());
    }

    /** The latest figures a worker reported, or null. */
    public Figures figuresOf(int workerId) {
        return started ? processes.figuresOf(workerId) : null;
    }

    /** The most workers this primary runs (quarkus.socketio.cluster.max-workers). */
    public int maxWorkers() {
        return ClusterSettings.maxWorkers(config);
    }

    // ---- Cluster API

    @Override
    public List<WorkerInfo> workers() {
        return started ? processes.infos() : List.of();
    }

    private void requirePrimary() {
        if (!started) {
            throw new IllegalStateException("Cluster operations are available in the primary of a cluster; this process is "
                    + identity.role().name().toLowerCase(Locale.ROOT));
        }
    }

    @Override
    public synchronized Uni<Void> scaleTo(int n) {
        requirePrimary();
        if (n < 0) {
            throw new IllegalArgumentException("cannot scale to " + n + " workers");
        }
        if (n > maxWorkers()) {
            throw new IllegalArgumentException("cannot scale to " + n + " workers: at most " + maxWorkers()
                    + " (quarkus.socketio.cluster.max-workers)");
        }
        String beyondHost = HostCapacity.refusal(workers(), n);
        if (beyondHost != null) {
            throw new IllegalArgumentException(beyondHost);
        }
        return Uni.createFrom().completionStage(processes.scaleTo(n));
    }

    @Override
    public Uni<Void> rollingRestart() {
        requirePrimary();
        return Uni.createFrom().completionStage(rolling.start());
    }

    @Override
    public void send(int workerId, Object message) {
        requirePrimary();
        ManagedWorker w = processes.worker(workerId);
        if (w == null || w.current == null) {
            throw new IllegalArgumentException("no worker " + workerId);
        }
        bus.control(w.current.slot, messagePayload(message));
    }

    @Override
    public void broadcast(Object message) {
        requirePrimary();
        Buffer payload = messagePayload(message);
        for (ManagedWorker w : processes.all()) {
            Incarnation i = w.current;
            if (i != null) {
                bus.control(i.slot, payload);
            }
        }
    }

    private Buffer messagePayload(Object message) {
        ObjectNode op = Control.op(Control.MESSAGE);
        op.set("data", mapper.valueToTree(message));
        return Control.encode(op);
    }

    /** Stops every worker gracefully; called on the primary's shutdown. */
    public void shutdown() {
        if (!started || shuttingDown) {
            return;
        }
        shuttingDown = true;
        processes.beginShutdown();
        if (routing != null) {
            routing.stopListening();
        }
        LOG.infof("Stopping %d workers", processes.count());
        fire(new WorkerLifecycleEvent(Kind.SHUTDOWN, -1, ProcessHandle.current().pid(), 0, Duration.ZERO, null));
        processes.stopAll();
        if (bus != null) {
            bus.stop();
        }
        if (routing != null) {
            routing.close();
        }
        LOG.info("All workers stopped");
    }

    private void fire(WorkerLifecycleEvent event) {
        try {
            events.fire(event);
        } catch (RuntimeException e) {
            LOG.errorf(e, "An observer of %s failed", event);
        }
    }
}
