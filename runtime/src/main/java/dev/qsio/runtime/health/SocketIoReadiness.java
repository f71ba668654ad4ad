package dev.qsio.runtime.health;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

import dev.qsio.ClusterInfo;
import dev.qsio.WorkerInfo;
import dev.qsio.runtime.bus.RedisBus;
import dev.qsio.runtime.bus.RedisChannels;
import dev.qsio.runtime.cluster.ClusterBus;
import dev.qsio.runtime.cluster.Figures;
import dev.qsio.runtime.cluster.Primary;
import dev.qsio.runtime.cluster.Worker;
import dev.qsio.runtime.config.ClusterConfig;
import dev.qsio.runtime.config.RedisConfig;
import dev.qsio.runtime.engine.EngineEndpoints;
import dev.qsio.runtime.wire.WireFigures;

/**
 * Readiness. In the primary: UP when at least {@code quarkus.socketio.cluster.min-ready-workers} workers (default:
 * all of them) accept connections, with one entry per worker. In a worker or a single process: UP while the engine
 * accepts connections (and, in a worker, its bus link is up); DOWN as soon as it drains.
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

    @Inject
    RedisConfig redisConfig;

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder b = HealthCheckResponse.named("Socket.IO");
        switch (identity.role()) {
            case PRIMARY -> {
                int ready = 0;
                for (WorkerInfo w : primary.workers()) {
                    Figures figures = primary.figuresOf(w.id());
                    WireFigures r = figures == null ? null : figures.wire();
                    boolean redisDown = r != null && !r.up();
                    boolean counted = w.ready() && !(redisDown && redisConfig.readiness());
                    if (counted) {
                        ready++;
                    }
                    b.withData("worker-" + w.id(), (counted ? "ready" : "not ready") + ", " + w.state() + ", pid "
                            + w.pid() + ", " + w.restarts() + " restarts"
                            + (r == null ? "" : redisDown ? ", Redis unreachable (" + (r.error() == null ? "" : r.error()) + ")" : ", Redis up"));
                }
                primary.draining().forEach((pid, id) -> b.withData("worker-" + id + " (pid " + pid + ")",
                        "not ready, draining"));
                int min = config.minReadyWorkers().orElse(primary.configuredWorkers());
                b.withData("ready workers", ready).withData("minimum", min).status(primary.supervising() && ready >= min);
            }
            case WORKER -> b.withData("worker", identity.workerId()).status(worker.ready() && redisUp(b));
            case SINGLE -> b.status(engines.accepting() && redisUp(b));
        }
        return b.build();
    }

    /** Reports the Redis bus, if any; false when it is down and that makes this server not ready. */
    private boolean redisUp(HealthCheckResponseBuilder b) {
        RedisBus bus = clusterBus.redis();
        if (bus == null) {
            return true;
        }
        RedisChannels redis = bus.channels();
        b.withData("redis", bus.isUp() ? "up, " + bus.members().size() + " servers"
                : "unreachable at " + redis.displayUrl() + (redis.lastError() == null ? "" : " (" + redis.lastError() + ")"));
        return bus.isUp() || !redisConfig.readiness();
    }
}
