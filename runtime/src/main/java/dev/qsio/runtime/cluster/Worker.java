package dev.qsio.runtime.cluster;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.qsio.ClusterInfo;
import dev.qsio.ClusterMessage;
import dev.qsio.runtime.bus.Bus;
import dev.qsio.runtime.bus.LocalBus;
import dev.qsio.runtime.config.ClusterConfig;
import dev.qsio.runtime.config.SocketIoRuntimeConfig;
import dev.qsio.runtime.engine.EngineEndpoints;
import dev.qsio.runtime.figures.FigureGroup;
import dev.qsio.runtime.handoff.ConnectionHandOff;
import dev.qsio.runtime.server.SocketIoServerImpl;
import io.quarkus.runtime.Quarkus;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;

/**
 * A worker's side of the cluster: its bus link to the primary, its readiness report, the messages it receives, and
 * its drain (stop listening, then close sessions so that clients reconnect to the other workers). A worker exits
 * when its primary goes away.
 */
@Singleton
public class Worker {

    private static final Logger LOG = Logger.getLogger(Worker.class);

    static final String ENV_PRIMARY_PID = "QSIO_PRIMARY_PID";

    @Inject
    Vertx vertx;

    /** The figures the layers above count (the Admin UI's logins), reported with this server's. */
    @Inject
    @Any
    Instance<FigureGroup> figureGroups;

    @Inject
    ClusterConfig config;

    @Inject
    SocketIoRuntimeConfig runtime;

    @Inject
    ClusterInfo identity;

    @Inject
    Event<ClusterMessage> messages;

    @Inject
    EngineEndpoints engines;

    @Inject
    SocketIoServerImpl server;

    @Inject
    ClusterBus clusterBus;

    private LocalBus bus;
    private volatile boolean busUp;
    private volatile boolean listening;
    private volatile boolean readySent;
    private volatile boolean draining;
    private volatile boolean exiting;

    @PostConstruct
    void init() {
        if (identity.role() != ClusterInfo.Role.WORKER) {
            return;
        }
        bus = clusterBus.local();
        bus.onPrimaryLost(() -> primaryLost("the bus connection to the primary closed"));
        bus.listen(Bus.Channel.CONTROL, new Bus.Listener() {
            @Override
            public void onMessage(String from, Buffer payload) {
                onControl(Control.decode(payload));
            }
        });
    }

    /** Set once {@link #start()} watches the primary: the early watch then leaves the orderly exit to it. */
    private static volatile boolean watching;
    private static final AtomicBoolean EARLY_WATCH = new AtomicBoolean();

    /**
     * From the first moment of a worker's startup (its configuration being built), until {@link #start()} takes over:
     * a worker whose primary is gone halts at once, however slowly it starts (an overloaded host), so that no worker
     * outlives its primary.
     */
    static void watchPrimaryFromTheStart() {
        String primaryPid = System.getenv(ENV_PRIMARY_PID);
        if (primaryPid == null || !"true".equals(System.getenv(Identity.ENV_WORKER)) || !EARLY_WATCH.compareAndSet(false,
                true)) {
            return;
        }
        Runnable halt = () -> {
            if (!watching) {
                System.err.println("Worker exits while starting: the primary (pid " + primaryPid + ") is gone");
                Runtime.getRuntime().halt(1);
            }
        };
        try {
            ProcessHandle.of(Long.parseLong(primaryPid)).ifPresentOrElse(h -> h.onExit().thenRun(halt), halt);
        } catch (NumberFormatException e) {
            // not a pid: start() reports it
        }
    }

    /** Connects to the primary and watches it; called at startup. */
    public void start() {
        if (bus == null) {
            return;
        }
        watching = true;
        String primaryPid = System.getenv(ENV_PRIMARY_PID);
        if (primaryPid != null) {
            ProcessHandle.of(Long.parseLong(primaryPid)).ifPresentOrElse(
                    h -> h.onExit().thenRun(() -> primaryLost("the primary (pid " + primaryPid + ") exited")),
                    () -> primaryLost("the primary (pid " + primaryPid + ") is not running"));
        }
        try {
            bus.connect().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("Worker " + identity.workerId() + " cannot join the cluster bus: "
                    + e.getMessage(), e);
        }
        busUp = true;
        LOG.debugf("worker %d joined the cluster bus as %s", identity.workerId(), bus.self());
        vertx.setPeriodic(config.heartbeatInterval().toMillis(), t -> reportStats());
    }

    /** The application listens: tell the primary this worker is ready. */
    public synchronized void listening() {
        listening = true;
        if (bus != null && busUp && !readySent) {
            readySent = true;
            bus.send("primary", Bus.Channel.CONTROL, Control.encode(Control.op(Control.READY)));
        }
    }

    /** Whether this worker accepts connections and its bus link is up (its readiness). */
    public boolean ready() {
        return bus != null && listening && bus.isUp() && !draining;
    }

    public boolean draining() {
        return draining;
    }

    /** The figures of this process, as its own metrics and Dev UI show them. */
    public Figures localFigures() {
        return Figures.of(engines, server, true, draining, -1, clusterBus, figureGroups);
    }

    private void reportStats() {
        if (bus.isUp()) {
            ObjectNode op = Control.op(Control.STATS);
            op.set("stats", Figures.of(engines, server, ready(), draining, bus.roundTripNanos(), clusterBus, figureGroups)
                    .toJson());
            bus.send("primary", Bus.Channel.CONTROL, Control.encode(op));
        }
    }

    private void onControl(JsonNode message) {
        if (Control.MESSAGE.equals(message.path("op").asText())) {
            // observed with @Observes, off the event loop, in the order the primary sent them
            vertx.executeBlocking(() -> {
                messages.fire(new ClusterMessage(message.get("data")));
                return null;
            }, true);
        }
    }

    /**
     * Stops taking new connections (the primary is told, and routes none here any more), then closes the sessions so
     * that their clients reconnect to the other workers.
     */
    public void drain() {
        if (bus == null || draining) {
            return;
        }
        draining = true;
        // a worker that never listened is not stopping on purpose: it failed to start, and the primary restarts it
        if (bus.isUp() && listening) {
            bus.send("primary", Bus.Channel.CONTROL, Control.encode(Control.op(Control.DRAINING)));
        }
        Duration spread = ClusterSettings.workerDrainSpread(runtime, config);
        LOG.infof("Worker %d takes no new connections; closing its sessions over %d ms (quarkus.socketio.drain-spread)",
                identity.workerId(), spread.toMillis());
        engines.drain(spread.toMillis());
        // no session is left here: the primary sends a later request for one of them to another worker, which
        // answers that it does not know it, instead of here, where the HTTP server is about to close
        ConnectionHandOff handOff = clusterBus.connectionHandOff();
        if (handOff != null) {
            handOff.close();
        }
    }

    /** Leaves the bus on purpose (this worker stops). */
    public void close() {
        if (bus != null) {
            bus.close();
        }
    }

    private void primaryLost(String why) {
        if (exiting || draining) {
            return;
        }
        exiting = true;
        LOG.errorf("Worker %d exits: %s", identity.workerId(), why);
        Thread halt = new Thread(() -> {
            try {
                // the grace period of the orderly exit below; past it the process is halted
                Thread.sleep(3000);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
            // the orderly exit did not finish in time: no worker may outlive its primary
            Runtime.getRuntime().halt(1);
        }, "qsio-orphan-guard");
        halt.setDaemon(true);
        halt.start();
        Quarkus.asyncExit(1);
    }
}
