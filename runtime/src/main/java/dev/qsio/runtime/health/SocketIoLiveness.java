package dev.qsio.runtime.health;

import java.util.Locale;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

import dev.qsio.runtime.cluster.ProcessRole;

/** Liveness: the primary is supervising its workers; any other process is alive when it answers. */
@Liveness
@ApplicationScoped
public class SocketIoLiveness implements HealthCheck {

    @Inject
    ProcessRole role;

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("Socket.IO").withData("role", role.role().name().toLowerCase(Locale.ROOT))
                .status(role.live()).build();
    }
}
