package dev.qsio.runtime.health;

import java.util.Locale;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

import dev.qsio.ClusterInfo;
import dev.qsio.runtime.cluster.Primary;

/** Liveness: the primary is supervising its workers; any other process is alive when it answers. */
@Liveness
@ApplicationScoped
public class SocketIoLiveness implements HealthCheck {

    @Inject
    ClusterInfo identity;

    @Inject
    Primary primary;

    @Override
    public HealthCheckResponse call() {
        boolean up = !identity.isPrimary() || primary.supervising();
        return HealthCheckResponse.named("Socket.IO").withData("role",
                identity.role().name().toLowerCase(Locale.ROOT)).status(up).build();
    }
}
