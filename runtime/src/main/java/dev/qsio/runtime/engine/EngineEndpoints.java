package dev.qsio.runtime.engine;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import dev.qsio.ClusterInfo;
import dev.qsio.ConnectionError;
import dev.qsio.HandshakeFilter;
import dev.qsio.runtime.config.ClusterConfig;
import dev.qsio.runtime.config.SocketIoRuntimeConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;

/**
 * The engine servers of the application, one per path, created at first use with the validated configuration. The
 * bean itself is created at startup, so that a bad {@code quarkus.socketio.*} value fails startup rather than the
 * first request.
 */
@Singleton
public class EngineEndpoints implements EnginePeers.Receiver {

    @Inject
    Vertx vertx;

    @Inject
    SocketIoRuntimeConfig config;

    @Inject
    Instance<HandshakeFilter> filters;

    @Inject
    ClusterConfig cluster;

    @Inject
    ClusterInfo identity;

    @Inject
    EnginePeers peers;

    @Inject
    Event<ConnectionError> connectionErrors;

    private EngineOptions options;
    private final Map<String, EngineServer<?>> servers = new ConcurrentHashMap<>();

    @PostConstruct
    void init() {
        options = EngineOptions.from(config);
        if (cluster.sticky().enabled()) {
            options = options.withHandshakeCookie(cluster.sticky().cookieName(), identity.nodeId());
        }
        peers.receive(this);
    }

    /** Creates the bean, and so validates the configuration, when the application starts. */
    void validateAtStartup(@Observes StartupEvent event) {
        // nothing to do: observing the event instantiates the bean, whose @PostConstruct checks the configuration
    }

    public EngineOptions options() {
        return options;
    }

    /** The server at a path, created with its handler on first call. */
    public EngineServer<?> server(String path, Supplier<? extends SessionHandler<?>> handler) {
        return servers.computeIfAbsent(path, p -> create(p, handler.get()));
    }

    private <C> EngineServer<C> create(String path, SessionHandler<C> handler) {
        List<HandshakeFilter> all = filters.stream().toList();
        // every filter bean must allow the handshake
        HandshakeFilter filter = all.isEmpty() ? null : request -> {
            for (HandshakeFilter f : all) {
                HandshakeFilter.Decision d = f.check(request);
                if (d == null || !d.allowed()) {
                    return d;
                }
            }
            return HandshakeFilter.Decision.allow();
        };
        return new EngineServer<>(path, vertx, options, handler, filter, peers, cluster.requestTimeout().toMillis(),
                delayedConnectionMs(), connectionErrors::fire);
    }

    /**
     * How long a new polling session waits before Socket.IO gets it, so that an upgrade landing on another server
     * can take it over. Not at all while every request reaches the owner's process (connections are handed over
     * between the workers of a host, and no other host is known); the wait remains where an upgrade may come
     * through another host.
     */
    private long delayedConnectionMs() {
        return peers.requestsReachOwners() ? 0 : cluster.delayedConnectionTimeout().toMillis();
    }

    @Override
    public void onMemberLeft(String member) {
        servers.values().forEach(s -> s.onMemberLeft(member));
    }

    @Override
    public void onMessage(String from, Buffer message) {
        String path = EngineServer.pathOf(message);
        EngineServer<?> server = path == null ? null : servers.get(path);
        if (server != null) {
            server.onClusterMessage(from, message);
        } else {
            RemoteSessions.answerWithoutServer(peers, from, message);
        }
    }

    /** Whether the engine accepts new sessions (it stops when the process drains or shuts down). */
    public boolean accepting() {
        return servers.values().stream().allMatch(EngineServer::accepting);
    }

    public Collection<EngineServer<?>> servers() {
        return servers.values();
    }

    void shutdown(@Observes ShutdownEvent event) {
        servers.values().forEach(EngineServer::shutdown);
    }
}
