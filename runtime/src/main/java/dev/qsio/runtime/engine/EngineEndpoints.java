package dev.qsio.runtime.engine;

import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import dev.qsio.EngineIoHandler;
import dev.qsio.HandshakeFilter;
import dev.qsio.runtime.config.SocketIoRuntimeConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;

/**
 * The engine servers of the application, one per path, created at first use with the validated configuration. The
 * bean itself is created at startup, so that a bad {@code quarkus.socketio.*} value fails startup rather than the
 * first request.
 */
@Singleton
public class EngineEndpoints {

    @Inject
    Vertx vertx;

    @Inject
    SocketIoRuntimeConfig config;

    @Inject
    Instance<HandshakeFilter> filters;

    @Inject
    dev.qsio.runtime.config.ClusterConfig cluster;

    @Inject
    dev.qsio.ClusterInfo identity;

    private EngineOptions options;
    private final Map<String, EngineServer> servers = new ConcurrentHashMap<>();
    private volatile EngineLink link;
    private long responseTimeoutMs;
    private long delayedConnectionMs;

    @PostConstruct
    void init() {
        options = EngineOptions.from(config);
        if (cluster.sticky().enabled()) {
            options = options.withHandshakeCookie(cluster.sticky().cookieName(), identity.nodeId());
        }
    }

    /** Creates the bean, and so validates the configuration, when the application starts. */
    void validateAtStartup(@Observes StartupEvent event) {
        // nothing to do: observing the event instantiates the bean, whose @PostConstruct checks the configuration
    }

    public EngineOptions options() {
        return options;
    }

    /** The server at a path, created with its handler on first call. */
    public EngineServer server(String path, Supplier<EngineIoHandler> handler) {
        return servers.computeIfAbsent(path, p -> {
            java.util.List<HandshakeFilter> all = filters.stream().toList();
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
            EngineServer server = new EngineServer(p, vertx, options, handler.get(), filter);
            if (link != null) {
                server.useLink(link, responseTimeoutMs, delayedConnectionMs);
            }
            return server;
        });
    }

    /** Joins the cluster: sessions of every path are resolved across servers from now on. */
    public synchronized void useLink(EngineLink link, long responseTimeoutMs, long delayedConnectionMs) {
        this.responseTimeoutMs = responseTimeoutMs;
        this.delayedConnectionMs = delayedConnectionMs;
        this.link = link;
        servers.values().forEach(s -> s.useLink(link, responseTimeoutMs, delayedConnectionMs));
    }

    /** A server left the cluster. */
    public void onMemberLeft(String member) {
        servers.values().forEach(s -> s.onMemberLeft(member));
    }

    /** A message from the engine of another server, for the server of its path. */
    public void onClusterMessage(String from, io.vertx.core.buffer.Buffer message) {
        String path = EngineServer.pathOf(message);
        EngineServer server = path == null ? null : servers.get(path);
        if (server != null) {
            server.onClusterMessage(from, message);
        } else if (link != null) {
            RemoteSessions.answerWithoutServer(link, from, message);
        }
    }

    /** Whether the engine accepts new sessions (it stops when the process drains or shuts down). */
    public boolean accepting() {
        return servers.values().stream().allMatch(EngineServer::accepting);
    }

    public Collection<EngineServer> servers() {
        return servers.values();
    }

    void shutdown(@Observes ShutdownEvent event) {
        servers.values().forEach(EngineServer::shutdown);
    }
}
