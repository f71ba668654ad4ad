package dev.qsio.runtime.cluster;


import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.ObservesAsync;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

import dev.qsio.ClusterInfo;
import dev.qsio.runtime.config.ClusterConfig;
import dev.qsio.runtime.config.SocketIoRuntimeConfig;
import dev.qsio.runtime.internals.FrameworkInternals;
import dev.qsio.runtime.server.SocketIoServerImpl;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.vertx.http.HttpServerStart;
import io.quarkus.vertx.http.HttpsServerStart;

/**
 * Starts and stops the cluster side of this process according to its role.
 */
@Singleton
public class ClusterLifecycle {

    @Inject
    ClusterInfo identity;

    @Inject
    Primary primary;

    @Inject
    Worker worker;

    @Inject
    ClusterBus clusterBus;

    @Inject
    SocketIoServerImpl server;

    @Inject
    ClusterConfig config;

    @Inject
    SocketIoRuntimeConfig runtime;

    /** Called by the bootstrap recorder before the HTTP server starts. */
    public void bootstrap() {
        switch (identity.role()) {
            case PRIMARY -> primary.start();
            case WORKER -> {
                quietDuplicateServerGauge();
                // the primary stays this worker's supervisor (CONTROL on the local link); with a wire between hosts,
                // the other servers, on this host and elsewhere, are reached through it
                clusterBus.connectWire();
                worker.start();
            }
            case SINGLE -> clusterBus.connectWire();
        }
        if (clusterBus.sessionsOnWire()) {
            // the sessions of connected sockets outlive a killed worker for a window at most: refresh them
            long window = runtime.connectionStateRecovery().maxDisconnectionDuration().toMillis();
            server.vertx().setPeriodic(Math.max(1000, window / 2), t -> server.saveSessions());
        }
    }

    /** Micrometer's logger of meter registrations, held so that the level set on it stays. */
    private static java.util.logging.Logger meterRegistryLog;

    /**
     * A worker's two HTTP servers, the application's and the management interface's, both listen on a port the kernel
     * picks (port 0). Quarkus tags its server meters with the configured port only when one is set, so both servers
     * register the same {@code http.server.active.connections} gauge: Micrometer keeps the first (the application's
     * server, which binds first) and warns about the second at every start, a warning nobody can act on. In a worker,
     * Micrometer's registry logs at ERROR only, unless the application sets that logger's level itself. (Runs after
     * Quarkus has set its log levels up, which would undo it.)
     */
    private static void quietDuplicateServerGauge() {
        String name = "io.micrometer.core.instrument.MeterRegistry";
        // Quarkus' default for a category is "inherit": the application did not set it
        if (ConfigProvider.getConfig().getOptionalValue("quarkus.log.category.\"" + name + "\".level", String.class)
                .filter(level -> !level.equalsIgnoreCase("inherit")).isEmpty()) {
            meterRegistryLog = java.util.logging.Logger.getLogger(name);
            meterRegistryLog.setLevel(java.util.logging.Level.SEVERE);
        }
    }

    /**
     * The primary opens no listener of Quarkus, whose startup line would read "Listening on: ." without this: it names
     * the application's port the primary holds.
     */
    void announceListening() {
        if (identity.role() == ClusterInfo.Role.PRIMARY) {
            FrameworkInternals.announceListening(primary.listening());
        }
    }

    private boolean plainListening;
    private boolean tlsListening;

    /**
     * The HTTP server listens: a worker is ready only when all its listeners are bound, the plain one (unless
     * insecure requests are disabled) and the TLS one (when the application serves HTTPS). Startup observers run before
     * the servers bind: a worker that said it was ready then was sent connections that found nobody listening, and
     * one ready at its plain listener's start was handed TLS connections before its TLS listener was there.
     */
    void httpListening(@ObservesAsync HttpServerStart event) {
        listening(true, false);
    }

    void httpsListening(@ObservesAsync HttpsServerStart event) {
        listening(false, true);
    }

    private synchronized void listening(boolean plain, boolean tls) {
        plainListening |= plain;
        tlsListening |= tls;
        if (identity.role() != ClusterInfo.Role.WORKER) {
            return;
        }
        Config cfg = ConfigProvider.getConfig();
        boolean plainWanted = !"disabled".equalsIgnoreCase(
                cfg.getOptionalValue("quarkus.http.insecure-requests", String.class).orElse("enabled"));
        boolean tlsWanted = Primary.tlsConfigured(cfg);
        if ((plainListening || !plainWanted) && (tlsListening || !tlsWanted)) {
            worker.listening();
        }
    }

    // first of all shutdown observers: a worker stops listening before anything closes its sessions
    void stopping(@Observes @Priority(1) ShutdownEvent event) {
        switch (identity.role()) {
            case PRIMARY -> primary.shutdown();
            case WORKER -> worker.drain();
            case SINGLE -> {
            }
        }
    }

    void stopped(@Observes @Priority(Integer.MAX_VALUE) ShutdownEvent event) {
        clusterBus.close();
        if (identity.role() == ClusterInfo.Role.WORKER) {
            worker.close();
        }
    }
}
