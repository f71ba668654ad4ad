package dev.qsio.runtime.health;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

import dev.qsio.runtime.cluster.ProcessRole;

/**
 * Readiness. In the primary: UP when at least {@code quarkus.socketio.cluster.min-ready-workers} workers (default:
 * all of them) accept connections, with one entry per worker. In a worker or a single process: UP while the engine
 * accepts connections (and, in a worker, its bus link is up; with a wire between hosts, that too, unless its
 * configuration says otherwise); DOWN as soon as it drains. The process's {@link ProcessRole} decides.
 */
@Readiness
@ApplicationScoped
public class SocketIoReadiness implements HealthCheck {

    @Inject
    ProcessRole role;

    @Override
    public HealthCheckResponse call() {
        ProcessRole.Readiness readiness = role.readiness();
        HealthCheckResponseBuilder b = HealthCheckResponse.named("Socket.IO");
        readiness.data().forEach((key, value) -> {
            if (value instanceof Number n) {
                b.withData(key, n.longValue());
            } else if (value instanceof Boolean flag) {
                b.withData(key, flag);
            } else {
                b.withData(key, String.valueOf(value));
            }
        });
        return b.status(readiness.up()).build();
    }
}
