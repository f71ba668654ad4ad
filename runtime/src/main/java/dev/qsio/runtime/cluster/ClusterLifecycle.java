package dev.qsio.runtime.cluster;

import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import dev.qsio.ClusterInfo;
import dev.qsio.runtime.adapter.ClusterAdapterHub;
import dev.qsio.runtime.bus.Bus;
import dev.qsio.runtime.engine.EngineEndpoints;
import io.vertx.core.buffer.Buffer;
import dev.qsio.runtime.config.ClusterConfig;
import dev.qsio.runtime.server.SocketIoServerImpl;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

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
    WorkerLink worker;

    @Inject
    SocketIoServerImpl server;

    @Inject
    ClusterConfig config;

    @Inject
    EngineEndpoints engines;

    /** Called by the bootstrap recorder before the HTTP server starts. */
    public void bootstrap() {
        if (config.control().enabled() && config.control().token().filter(t -> !t.isBlank()).isEmpty()) {
            throw new io.quarkus.runtime.configuration.ConfigurationException(
                    "quarkus.socketio.cluster.control.token must be set when quarkus.socketio.cluster.control.enabled=true",
                    java.util.Set.of("quarkus.socketio.cluster.control.token"));
        }
        switch (identity.role()) {
            case PRIMARY -> primary.start();
            case WORKER -> {
                Bus bus = worker.bus();
                engines.useLink(new BusEngineLink(bus), config.requestTimeout().toMillis(),
                        config.delayedConnectionTimeout().toMillis());
                bus.listen(Bus.Channel.ENGINE, new Bus.Listener() {
                    @Override
                    public void onMessage(String from, Buffer payload) {
                        engines.onClusterMessage(from, payload);
                    }

                    @Override
                    public void onMemberLeft(String member) {
                        engines.onMemberLeft(member);
                    }
                });
                ClusterAdapterHub hub = new ClusterAdapterHub(server, bus, identity.workerId(),
                        config.requestTimeout().toMillis());
                server.useAdapters(hub::adapterFor);
                worker.start();
            }
            case SINGLE -> {
            }
        }
    }

    void started(@Observes StartupEvent event) {
        if (identity.role() == ClusterInfo.Role.WORKER) {
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
        if (identity.role() == ClusterInfo.Role.WORKER) {
            worker.close();
        }
    }
}
