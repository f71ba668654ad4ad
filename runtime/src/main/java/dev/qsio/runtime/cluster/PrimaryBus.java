package dev.qsio.runtime.cluster;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.qsio.WorkerLifecycleEvent;
import dev.qsio.WorkerLifecycleEvent.Kind;
import dev.qsio.runtime.adapter.InMemorySessionStore;
import dev.qsio.runtime.bus.BusRelay;
import dev.qsio.runtime.config.ClusterConfig;
import dev.qsio.runtime.config.SocketIoRuntimeConfig;
import dev.qsio.runtime.cluster.WorkerProcesses.Incarnation;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;

/**
 * The primary's end of the local bus: relays it between the workers ({@link BusRelay}), follows their heartbeats
 * (stalled, resumed, unresponsive), and answers what they ask of their primary on it: readiness, figures, draining,
 * identity leases and, without a wire between hosts, connection state recovery.
 */
final class PrimaryBus {

    private static final Logger LOG = Logger.getLogger(PrimaryBus.class);

    private final ClusterConfig config;
    private final WorkerProcesses processes;
    private final ConnectionRouting routing;
    private final Consumer<WorkerLifecycleEvent> events;
    private final BusRelay relay;
    /** The name of the wire between hosts whose figures the workers report, or null. */
    private final String wireName;
    /** The leases of identities of this host's workers, when they have no wire between hosts. */
    private final ControlIdentityLeases.Keeper leases = new ControlIdentityLeases.Keeper();
    /**
     * Connection state recovery's sessions and broadcast log of this host's workers, when recovery is on and they have
     * no wire between hosts; null otherwise.
     */
    private final ControlSessionStore.Keeper recovery;

    PrimaryBus(Vertx vertx, String secret, ClusterConfig config, SocketIoRuntimeConfig runtime, String wireName,
            WorkerProcesses processes, ConnectionRouting routing, Consumer<WorkerLifecycleEvent> events) {
        this.config = config;
        this.processes = processes;
        this.routing = routing;
        this.events = events;
        this.wireName = wireName;
        this.recovery = runtime.connectionStateRecovery().enabled() && wireName == null
                ? new ControlSessionStore.Keeper(vertx, runtime.connectionStateRecovery().maxDisconnectionDuration().toMillis(),
                        runtime.connectionStateRecovery().maxLogBytes().asLongValue())
                : null;
        if (recovery != null) {
            ControlSessionStore.exerciseInBackground(new ObjectMapper(), ControlSessionStore.exerciseSessions(runtime));
        }
        this.relay = new BusRelay(vertx, secret, config.heartbeatTimeout(), config.stallTimeout(), new RelayEvents());
    }

    /** Opens the relay on a loopback port; returns the port. */
    int start() {
        try {
            return relay.start().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("Cannot start the cluster bus on a loopback port", e);
        }
    }

    /** Sends a CONTROL payload to the process of a slot. */
    void control(int slot, Buffer payload) {
        relay.control(slot, payload);
    }

    /** The store of connection state recovery kept for the workers, or null. */
    InMemorySessionStore recoveryStore() {
        return recovery == null ? null : recovery.store();
    }

    /** A worker's process exited: its link is closed, its recovery sessions orphaned and its leases freed. */
    void exited(Incarnation inc, int workerId) {
        relay.disconnect(inc.slot);
        if (recovery != null) {
            int orphaned = recovery.orphan(inc.slot);
            if (orphaned > 0) {
                LOG.debugf("Worker %d (pid %d) exited: its %d connected sessions may be recovered on the other workers "
                        + "from now on", workerId, inc.process.pid(), orphaned);
            }
        }
        int freed = leases.forget(inc.slot);
        if (freed > 0) {
            LOG.debugf("Worker %d (pid %d) exited: its %d identity leases are free", workerId, inc.process.pid(), freed);
        }
    }

    void stop() {
        relay.stop();
    }

    /** The relay's reports, on the event loop. */
    private final class RelayEvents implements BusRelay.Events {

        @Override
        public void onJoined(int slot, int workerId, long pid) {
            Incarnation inc = processes.bySlot(slot);
            if (inc != null) {
                inc.busUp = true;
                routing.linked(slot);
            }
        }

        @Override
        public void onLeft(int slot, int workerId) {
            Incarnation inc = processes.bySlot(slot);
            if (inc != null) {
                inc.busUp = false;
            }
        }

        @Override
        public void onStalled(int slot, int workerId, long silentMs) {
            Incarnation inc = processes.bySlot(slot);
            if (inc != null && !inc.stopping) {
                inc.stalled = true;
                LOG.warnf("Worker %d (pid %d) sent no heartbeat for %d ms: stalled, it takes no new connections and "
                        + "keeps its sessions; killed if still silent after %d s (quarkus.socketio.cluster.stall-timeout)",
                        workerId, inc.process.pid(), silentMs, config.stallTimeout().toSeconds());
                events.accept(new WorkerLifecycleEvent(Kind.STALLED, workerId, inc.process.pid(), 0, Duration.ZERO,
                        "no heartbeat for " + silentMs + " ms"));
            }
        }

        @Override
        public void onResumed(int slot, int workerId, long silentMs) {
            Incarnation inc = processes.bySlot(slot);
            if (inc != null && inc.stalled) {
                inc.stalled = false;
                LOG.infof("Worker %d (pid %d) resumed after %d ms of silence", workerId, inc.process.pid(), silentMs);
                events.accept(new WorkerLifecycleEvent(Kind.RESUMED, workerId, inc.process.pid(), 0, Duration.ZERO, null));
                routing.retry();
            }
        }

        @Override
        public void onUnresponsive(int slot, int workerId) {
            Incarnation inc = processes.bySlot(slot);
            if (inc != null) {
                inc.busUp = false;
                if (!inc.stopping) {
                    LOG.errorf("Worker %d (pid %d) stayed silent on the bus for %d s (quarkus.socketio.cluster.stall-timeout); "
                            + "killing it", workerId, inc.process.pid(), config.stallTimeout().toSeconds());
                    inc.process.destroyForcibly();
                }
            }
        }

        @Override
        public void onControl(int slot, int workerId, Buffer payload) {
            Incarnation inc = processes.bySlot(slot);
            if (inc == null) {
                return;
            }
            JsonNode message = Control.decode(payload);
            String op = message.path("op").asText();
            switch (op) {
                case Control.READY -> processes.onReady(inc);
                case Control.STATS -> inc.figures = Figures.fromJson(message.get("stats"), wireName);
                case Control.DRAINING -> processes.onDraining(inc);
                case Control.LEASE, Control.UNLEASE, Control.RENEW -> answer(slot, leases.handle(slot, message));
                case Control.LOG, Control.CLAIM, Control.SAVE, Control.DISCONNECTED, Control.FORGET, Control.RECOVER,
                        Control.SINCE -> answer(slot, recovery == null ? null : recovery.handle(slot, message));
                default -> LOG.debugf("unknown control op '%s' from worker %d", op, workerId);
            }
        }

        private void answer(int slot, Buffer answer) {
            if (answer != null) {
                relay.control(slot, answer);
            }
        }
    }
}
