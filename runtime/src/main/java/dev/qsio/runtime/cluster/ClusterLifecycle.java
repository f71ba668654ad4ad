package dev.qsio.runtime.cluster;

import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.ObservesAsync;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

import dev.qsio.runtime.config.SocketIoRuntimeConfig;
import dev.qsio.runtime.engine.EngineEndpoints;
import dev.qsio.runtime.server.SocketIoServerImpl;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.vertx.http.HttpServerStart;
import io.quarkus.vertx.http.HttpsServerStart;

/**
 * Starts and stops the cluster side of this process, as its {@link ProcessRole} does it.
 */
@Singleton
public class ClusterLifecycle {

    @Inject
    ProcessRole role;

    @Inject
    ClusterBus clusterBus;

    @Inject
    SocketIoServerImpl server;

    @Inject
    SocketIoRuntimeConfig runtime;

    @Inject
    EngineEndpoints engines;

    /** Called by the bootstrap recorder before the HTTP server starts. */
    public void bootstrap() {
        // before any connection: how the heap gives memory back, in every process alike
        HeapSizing.apply(runtime.heap());
        role.bootstrap();
        if (clusterBus.sessionsOnWire()) {
            // the sessions of connected sockets outlive a killed worker for a window at most: refresh them
            long window = runtime.connectionStateRecovery().maxDisconnectionDuration().toMillis();
            server.vertx().setPeriodic(Math.max(1000, window / 2), t -> server.saveSessions());
        }
    }

    /** Names the application's port in Quarkus' startup line when this process holds it itself (the primary). */
    void announceListening() {
        role.announceListening();
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
        Config cfg = ConfigProvider.getConfig();
        boolean plainWanted = !"disabled".equalsIgnoreCase(
                cfg.getOptionalValue("quarkus.http.insecure-requests", String.class).orElse("enabled"));
        boolean tlsWanted = ConnectionRouting.tlsConfigured(cfg);
        if ((plainListening || !plainWanted) && (tlsListening || !tlsWanted)) {
            role.listening();
        }
    }

    /**
     * The start of the shutdown, before Quarkus closes the HTTP server ({@link DrainFirst}): a process that serves
     * clients closes its sessions while their connections still carry the close and the requests that follow it (a
     * worker first tells its primary that it takes no new connection).
     */
    void drainFirst() {
        if (role.servesSockets()) {
            role.stopping();
            engines.drain();
        }
    }

    // first of all shutdown observers: a worker stops listening before anything closes its sessions (done already
    // when the shutdown began with DrainFirst)
    void stopping(@Observes @Priority(1) ShutdownEvent event) {
        role.stopping();
    }

    void stopped(@Observes @Priority(Integer.MAX_VALUE) ShutdownEvent event) {
        clusterBus.close();
        role.stopped();
    }
}
