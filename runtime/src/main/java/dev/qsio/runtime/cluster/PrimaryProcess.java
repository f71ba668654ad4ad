package dev.qsio.runtime.cluster;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import dev.qsio.ClusterInfo;
import dev.qsio.WorkerInfo;
import dev.qsio.runtime.adapter.InMemorySessionStore;
import dev.qsio.runtime.config.ClusterConfig;
import dev.qsio.runtime.internals.FrameworkInternals;
import dev.qsio.runtime.wire.WireFigures;
import dev.qsio.runtime.wire.WireProvider;

/**
 * The primary of a cluster: it serves no client itself. Its readiness and figures are its workers'; it is live while
 * it supervises them.
 */
final class PrimaryProcess implements ProcessRole {

    private final ClusterInfo identity;
    private final ClusterBus clusterBus;
    private final ClusterConfig config;
    private final Primary primary;
    private final Worker self;

    PrimaryProcess(ClusterInfo identity, ClusterBus clusterBus, ClusterConfig config, Primary primary, Worker self) {
        this.identity = identity;
        this.clusterBus = clusterBus;
        this.config = config;
        this.primary = primary;
        this.self = self;
    }

    @Override
    public ClusterInfo.Role role() {
        return ClusterInfo.Role.PRIMARY;
    }

    @Override
    public void bootstrap() {
        primary.start();
    }

    @Override
    public void announceListening() {
        // the primary opens no listener of Quarkus, whose startup line would read "Listening on: ." without this
        FrameworkInternals.announceListening(primary.listening());
    }

    @Override
    public void stopping() {
        primary.shutdown();
    }

    @Override
    public boolean live() {
        return primary.supervising();
    }

    @Override
    public boolean started() {
        return primary.firstFullSetReady();
    }

    /**
     * Up when at least {@code quarkus.socketio.cluster.min-ready-workers} workers (default: all of them) accept
     * connections, with one line per worker.
     */
    @Override
    public Readiness readiness() {
        Map<String, Object> data = ProcessRole.lines();
        int ready = 0;
        WireProvider provider = clusterBus.wireProvider();
        boolean wireRequired = clusterBus.readinessRequiresWire();
        for (WorkerInfo w : primary.workers()) {
            Figures figures = primary.figuresOf(w.id());
            WireFigures r = figures == null ? null : figures.wire();
            boolean wireDown = r != null && !r.up();
            boolean counted = w.ready() && !(wireDown && wireRequired);
            if (counted) {
                ready++;
            }
            data.put("worker-" + w.id(), (counted ? "ready" : "not ready") + ", " + w.state() + ", pid "
                    + w.pid() + ", " + w.restarts() + " restarts" + (r == null ? ""
                            : ", " + provider.displayName() + (wireDown
                                    ? " unreachable (" + (r.error() == null ? "" : r.error()) + ")"
                                    : " up")));
        }
        primary.draining().forEach((pid, id) -> data.put("worker-" + id + " (pid " + pid + ")", "not ready, draining"));
        int min = config.minReadyWorkers().orElse(primary.configuredWorkers());
        data.put("ready workers", ready);
        data.put("minimum", min);
        return new Readiness(primary.supervising() && ready >= min, data);
    }

    @Override
    public boolean servesSockets() {
        return false;
    }

    @Override
    public String serverId() {
        return identity.nodeId();
    }

    @Override
    public Map<Integer, Supplier<Figures>> servers() {
        Map<Integer, Supplier<Figures>> servers = new LinkedHashMap<>();
        for (WorkerInfo w : primary.workers()) {
            int id = w.id();
            servers.put(id, () -> primary.figuresOf(id));
        }
        return servers;
    }

    @Override
    public List<WorkerInfo> workers() {
        return primary.workers();
    }

    @Override
    public boolean supervises() {
        return true;
    }

    @Override
    public int crashesOf(int workerId) {
        return primary.crashesOf(workerId);
    }

    @Override
    public Supplier<InMemorySessionStore> recoveryStore() {
        return primary::recoveryStore;
    }

    @Override
    public Figures localFigures() {
        return self.localFigures();
    }
}
