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

    private EngineOptions options;
    private final Map<String, EngineServer> servers = new ConcurrentHashMap<>();

    @PostConstruct
    void init() {
        options = EngineOptions.from(config);
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
            HandshakeFilter filter = filters.isResolvable() ? filters.get() : null;
            return new EngineServer(p, vertx, options, handler.get(), filter);
        });
    }

    public Collection<EngineServer> servers() {
        return servers.values();
    }

    void shutdown(@Observes ShutdownEvent event) {
        servers.values().forEach(EngineServer::shutdown);
    }
}
