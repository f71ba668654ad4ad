package dev.qsio.demo.chat;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** The demo's own readiness check: it appears next to the extension's. */
@Readiness
@ApplicationScoped
public class ChatReadiness implements HealthCheck {

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("chat").up().build();
    }
}
