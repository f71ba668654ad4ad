package dev.qsio.runtime.health;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

import com.fasterxml.jackson.databind.JsonNode;

import dev.qsio.ClusterInfo;
import dev.qsio.WorkerInfo;
import dev.qsio.runtime.bus.RedisBus;
import dev.qsio.runtime.bus.RedisChannels;
import dev.qsio.runtime.cluster.ClusterBus;
import dev.qsio.runtime.cluster.Primary;
import dev.qsio.runtime.cluster.Worker;
import dev.qsio.runtime.config.ClusterConfig;
import dev.qsio.runtime.config.RedisConfig;
import dev.qsio.runtime.engine.EngineEndpoints;
import dev.qsio.runtime.postgres.PostgresConfig;
import dev.qsio.runtime.postgres.PostgresWire;

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

    @Inject
    PostgresConfig postgresConfig;

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder b = HealthCheckResponse.named("Socket.IO");
        switch (identity.role()) {
            case PRIMARY -> {
                int ready = 0;
                for (WorkerInfo w : primary.workers()) {
                    JsonNode stats = primary.statsOf(w.id());
                    JsonNode r = stats == null ? null : stats.get("redis");
                    boolean redisDown = r != null && !r.path("up").asBoolean();
                    JsonNode pg = stats == null ? null : stats.get("postgres");
                    boolean postgresDown = pg != null && !pg.path("up").asBoolean() && postgresConfig.readiness();
                    boolean counted = w.ready() && !(redisDown && redisConfig.readiness()) && !postgresDown;
                    if (counted) {
                        ready++;
                    }
                    b.withData("worker-" + w.id(), (counted ? "ready" : "not ready") + ", " + w.state() + ", pid "
                            + w.pid() + ", " + w.restarts() + " restarts"
                            + (r == null ? "" : redisDown ? ", Redis unreachable (" + r.path("error").asText("") + ")" : ", Redis up")
                            + (pg == null ? "" : pg.path("up").asBoolean() ? ", PostgreSQL up"
                                    : ", PostgreSQL unreachable (" + pg.path("error").asText("") + ")"));
                }
                primary.draining().forEach((pid, id) -> b.withData("worker-" + id + " (pid " + pid + ")",
                        "not ready, draining"));
                int min = config.minReadyWorkers().orElse(primary.configuredWorkers());
                b.withData("ready workers", ready).withData("minimum", min).status(primary.supervising() && ready >= min);
            }
            case WORKER -> b.withData("worker", identity.workerId()).status(worker.ready() && redisUp(b) && postgresUp(b));
            case SINGLE -> b.status(engines.accepting() && redisUp(b) && postgresUp(b));
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

    /** Reports the PostgreSQL wire, if any; false when it is not listening and that makes this server not ready. */
    private boolean postgresUp(HealthCheckResponseBuilder b) {
        PostgresWire wire = clusterBus.postgres();
        if (wire == null) {
            return true;
        }
        PostgresWire.State s = wire.state();
        b.withData("postgres", s.up() ? "up, " + s.members() + " servers"
                : "unreachable at " + s.displayUrl() + (s.lastError() == null ? "" : " (" + s.lastError() + ")"));
        return s.up() || !wire.readiness();
    }
}
