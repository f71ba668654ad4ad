package dev.qsio.runtime.tracing;

import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import dev.qsio.runtime.spans.Tracing;
import io.opentelemetry.api.OpenTelemetry;

/**
 * The server's tracing when the application has {@code quarkus-opentelemetry} (the deployment processor registers
 * this bean only then): spans while OpenTelemetry's SDK and its traces are on, none otherwise, so that a disabled
 * SDK costs nothing on the broadcast path.
 */
@Singleton
public class TracingSetup {

    @Produces
    @Singleton
    Tracing tracing(Instance<OpenTelemetry> openTelemetry,
            @ConfigProperty(name = "quarkus.otel.sdk.disabled", defaultValue = "false") boolean sdkDisabled,
            @ConfigProperty(name = "quarkus.otel.traces.enabled", defaultValue = "true") boolean tracesEnabled) {
        if (sdkDisabled || !tracesEnabled || !openTelemetry.isResolvable()) {
            return Tracing.NONE;
        }
        return new OpenTelemetryTracing(openTelemetry.get());
    }
}
