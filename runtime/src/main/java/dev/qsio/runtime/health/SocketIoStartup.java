package dev.qsio.runtime.health;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Startup;

import dev.qsio.runtime.cluster.ProcessRole;

/** Startup: in the primary, UP once the first full set of workers was ready; elsewhere, once started. */
@Startup
@ApplicationScoped
public class SocketIoStartup implements HealthCheck {

    @Inject
    ProcessRole role;

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("Socket.IO").status(role.started()).build();
    }
}
