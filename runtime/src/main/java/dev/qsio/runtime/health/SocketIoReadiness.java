package dev.qsio.runtime.health;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

import dev.qsio.ClusterInfo;
import dev.qsio.WorkerInfo;
import dev.qsio.runtime.cluster.ClusterBus;
import dev.qsio.runtime.cluster.Figures;
import dev.qsio.runtime.cluster.Primary;
import dev.qsio.runtime.cluster.Worker;
import dev.qsio.runtime.config.ClusterConfig;
import dev.qsio.runtime.engine.EngineEndpoints;
import dev.qsio.runtime.wire.Wire;
import dev.qsio.runtime.wire.WireFigures;
import dev.qsio.runtime.wire.WireProvider;

/**
 * Readiness. In the primary: UP when at least {@code quarkus.socketio.cluster.min-ready-workers} workers (default:
 * all of them) accept connections, with one entry per worker. In a worker or a single process: UP while the engine
 * accepts connections (and, in a worker, its bus link is up; with a wire between hosts, that too, unless its
 * configuration says otherwise); DOWN as soon as it drains.
 */
@Readiness
@ApplicationScoped
public class SocketIoReadiness implements HealthCheck {

    @Inject
    ClusterInfo identity;

    @Inject
    Primary primary;

    @Inject
    Worker worker;

    @Inject
    EngineEndpoints engines;

    @Inject
    ClusterConfig config;

    @Inject
    ClusterBus clusterBus;

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder b = HealthCheckResponse.named("Socket.IO");
        switch (identity.role()) {
            case PRIMARY -> {
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
                    b.withData("worker-" + w.id(), (counted ? "ready" : "not ready") + ", " + w.state() + ", pid "
                            + w.pid() + ", " + w.restarts() + " restarts" + (r == null ? ""
                                    : ", " + provider.displayName() + (wireDown
                                            ? " unreachable (" + (r.error() == null ? "" : r.error()) + ")"
                                            : " up")));
                }
                primary.draining().forEach((pid, id) -> b.withData("worker-" + id + " (pid " + pid + ")",
                        "not ready, draining"));
                int min = config.minReadyWorkers().orElse(primary.configuredWorkers());
                b.withData("ready workers", ready).withData("minimum", min).status(primary.supervising() && ready >= min);
            }
            case WORKER -> b.withData("worker", identity.workerId()).status(worker.ready() && wireUp(b));
            case SINGLE -> b.status(engines.accepting() && wireUp(b));
        }
        return b.build();
    }

    /** Reports the wire between hosts, if any; false when it is down and that makes this server not ready. */
    private boolean wireUp(HealthCheckResponseBuilder b) {
        Wire wire = clusterBus.wire();
        if (wire == null) {
            return true;
        }
        WireFigures figures = wire.figures();
        b.withData(clusterBus.wireProvider().name(), figures.up() ? "up, " + figures.members() + " servers"
                : "unreachable at " + wire.address() + (figures.error() == null ? "" : " (" + figures.error() + ")"));
        return figures.up() || !clusterBus.readinessRequiresWire();
    }
}
