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
import dev.qsio.runtime.adapter.RedisAdapterHub;
import dev.qsio.runtime.bus.RedisBus;
import dev.qsio.runtime.config.ClusterConfig;
import dev.qsio.runtime.config.RedisConfig;
import dev.qsio.runtime.config.SocketIoRuntimeConfig;
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

    @Inject
    SocketIoRuntimeConfig runtime;

    @Inject
    RedisLink redis;

    @Inject
    RedisConfig redisConfig;

    /** Called by the bootstrap recorder before the HTTP server starts. */
    public void bootstrap() {
        if (config.control().enabled() && config.control().token().filter(t -> !t.isBlank()).isEmpty()) {
            throw new io.quarkus.runtime.configuration.ConfigurationException(
                    "quarkus.socketio.cluster.control.token must be set when quarkus.socketio.cluster.control.enabled=true",
                    java.util.Set.of("quarkus.socketio.cluster.control.token"));
        }
        if (identity.role() != ClusterInfo.Role.SINGLE && runtime.connectionStateRecovery().enabled()
                && runtime.bus() != SocketIoRuntimeConfig.BusKind.REDIS) {
            throw new io.quarkus.runtime.configuration.ConfigurationException(
                    "quarkus.socketio.connection-state-recovery.enabled=true in a cluster needs "
                            + "quarkus.socketio.bus=redis: the state of a socket must outlive its worker and be found by "
                            + "whichever worker the client reconnects to",
                    java.util.Set.of("quarkus.socketio.connection-state-recovery.enabled", "quarkus.socketio.bus"));
        }
        switch (identity.role()) {
            case PRIMARY -> primary.start();
            case WORKER -> {
                Bus bus = worker.bus();
                if (runtime.bus() == SocketIoRuntimeConfig.BusKind.REDIS) {
                    // the primary stays this worker's supervisor (CONTROL on the local link); the other servers,
                    // on this host and elsewhere, are reached through Redis
                    bus = redis.start(identity.nodeId(), identity.workerId());
                }
                joinCluster(bus);
                worker.start();
            }
            case SINGLE -> {
                if (runtime.bus() == SocketIoRuntimeConfig.BusKind.REDIS) {
                    joinCluster(redis.start(identity.nodeId(), identity.workerId()));
                }
            }
        }
    }

    private void joinCluster(Bus bus) {
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
        if (bus instanceof RedisBus redisBus) {
            // on Redis, adapter messages use the wire format of Node's @socket.io/redis-adapter
            RedisAdapterHub hub = new RedisAdapterHub(server, redisBus, identity.workerId(), identity.nodeId(),
                    config.requestTimeout().toMillis(), redisConfig.key());
            if (runtime.connectionStateRecovery().enabled()) {
                long window = runtime.connectionStateRecovery().maxDisconnectionDuration().toMillis();
                server.useSessionStore(hub.useRecovery(window));
                // the sessions of connected sockets outlive a killed worker for a window at most: refresh them
                server.vertx().setPeriodic(Math.max(1000, window / 2), t -> server.saveSessions());
            }
            server.useAdapters(hub::adapterFor);
        } else {
            ClusterAdapterHub hub = new ClusterAdapterHub(server, bus, identity.workerId(),
                    config.requestTimeout().toMillis());
            server.useAdapters(hub::adapterFor);
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
        redis.close();
        if (identity.role() == ClusterInfo.Role.WORKER) {
            worker.close();
        }
    }
}
