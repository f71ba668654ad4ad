package dev.qsio.runtime.engine;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import dev.qsio.AsyncHandshakeFilter;
import dev.qsio.ClusterInfo;
import dev.qsio.ConnectionError;
import dev.qsio.EngineMiddleware;
import dev.qsio.HandshakeFilter;
import dev.qsio.runtime.config.ClusterConfig;
import dev.qsio.runtime.config.SocketIoRuntimeConfig;
import io.quarkus.arc.InjectableBean;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.configuration.ConfigurationException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/**
 * The engine servers of the application, one per path, created at first use with the validated configuration. The
 * bean itself is created at startup, so that a bad {@code quarkus.socketio.*} value fails startup rather than the
 * first request.
 */
@Singleton
public class EngineEndpoints {

    private static final Logger LOG = Logger.getLogger(EngineEndpoints.class);

    @Inject
    Vertx vertx;

    @Inject
    SocketIoRuntimeConfig config;

    @Inject
    Instance<HandshakeFilter> filters;

    @Inject
    Instance<AsyncHandshakeFilter> asyncFilters;

    @Inject
    Instance<EngineMiddleware> middlewareBeans;

    @Inject
    ClusterConfig cluster;

    @Inject
    ClusterInfo identity;

    /** The other servers of the cluster, as each engine server reaches them. */
    @Inject
    OtherServers.Factory others;

    @Inject
    Event<ConnectionError> connectionErrors;

    private EngineOptions options;
    private HandshakeFilters handshakeFilters;
    private EngineMiddlewares middlewares;
    private long drainSpreadMs;
    private final AtomicBoolean draining = new AtomicBoolean();
    private final Map<String, EngineServer<?>> servers = new ConcurrentHashMap<>();
    private SlowConsumers slowConsumers;

    @PostConstruct
    void init() {
        options = EngineOptions.from(config);
        Duration spread = config.drainSpread().orElse(Duration.ZERO);
        if (spread.isNegative()) {
            throw new ConfigurationException("quarkus.socketio.drain-spread must be a duration of 0 (all at once) or more, "
                    + "got " + spread, Set.of("quarkus.socketio.drain-spread"));
        }
        drainSpreadMs = spread.toMillis();
        // every filter bean must allow a handshake
        handshakeFilters = new HandshakeFilters(named(filters), named(asyncFilters), options.handshakeFilterTimeoutMs());
        middlewares = new EngineMiddlewares(middlewareBeans.handlesStream().map(h -> new EngineMiddlewares.Ordered(
                h.get(), ((InjectableBean<?>) h.getBean()).getPriority(), h.getBean().getBeanClass().getName())).toList());
        if (cluster.sticky().enabled()) {
            var sticky = cluster.sticky();
            options = options.withHandshakeCookie(sticky.cookieName(), identity.nodeId(), sticky.cookiePath(),
                    sticky.cookieHttpOnly(), sticky.cookieSameSite().attribute, sticky.cookieSecure());
        }
        slowConsumers = SlowConsumers.start(SlowConsumers.Options.from(config.slowConsumer(), Runtime.getRuntime().maxMemory()),
                servers::values);
    }

    /** Creates the bean, and so validates the configuration, when the application starts. */
    void validateAtStartup(@Observes StartupEvent event) {
        // observing the event instantiates the bean, whose @PostConstruct checks the configuration; so are the
        // settings of the transports that listen beside the HTTP server
        for (TransportKind kind : options.transports()) {
            kind.check(this);
        }
    }

    /**
     * Starts the transports that listen beside the HTTP server (WebTransport's UDP port) after the warm-up
     * ({@code WarmUp}, at {@code Integer.MAX_VALUE - 100}) and just before the HTTP server binds, which it does once
     * every startup observer returned: no client reaches the process before the warm-up ends, by any transport. (The
     * UDP port listened from the start, and a client of the benchmark that had opened WebTransport sessions during a
     * 20 s warm-up found the HTTP port still closed.)
     */
    void listenAtStartup(@Observes @Priority(Integer.MAX_VALUE - 50) StartupEvent event) {
        for (TransportKind kind : options.transports()) {
            AutoCloseable listener = kind.listen(this);
            if (listener != null) {
                listeners.add(listener);
            }
        }
    }

    /** What the transports listen on besides the HTTP server ({@link TransportKind#listen}). */
    private final List<AutoCloseable> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();

    public EngineOptions options() {
        return options;
    }

    /** The application's engine middlewares, which every endpoint's requests go through. */
    EngineMiddlewares middlewares() {
        return middlewares;
    }

    /** The server at a path, created with its handler on first call. */
    public EngineServer<?> server(String path, Supplier<? extends SessionHandler<?>> handler) {
        return servers.computeIfAbsent(path, p -> create(p, handler.get()));
    }

    private <C> EngineServer<C> create(String path, SessionHandler<C> handler) {
        return new EngineServer<>(path, vertx, options, handler, handshakeFilters, others, connectionErrors::fire)
                .middlewares(middlewares);
    }

    /**
     * A server of this application's engine settings that is none of its endpoints: no handshake filter, no limits per
     * address, no other server of the cluster, its refusals told to nobody, its sessions and figures its own (not in
     * {@link #servers()}), on a Vert.x instance of the caller's. The warm-up serves its own connections with it.
     */
    public <C> EngineServer<C> privateServer(String path, Vertx on, SessionHandler<C> handler) {
        return new EngineServer<>(path, on, options.withoutAddressLimits(), handler, HandshakeFilters.NONE,
                OtherServers.Factory.NONE, refusal -> {
                });
    }

    /** The beans of a filter type, each named by its bean class (not its client proxy's) for the logs. */
    private static <F> List<HandshakeFilters.Named<F>> named(Instance<F> beans) {
        return beans.handlesStream().map(h -> new HandshakeFilters.Named<>(h.get(), h.getBean().getBeanClass().getName()))
                .toList();
    }

    /** Whether the engine accepts new sessions (it stops when the process drains or shuts down). */
    public boolean accepting() {
        return servers.values().stream().allMatch(EngineServer::accepting);
    }

    public Collection<EngineServer<?>> servers() {
        return servers.values();
    }

    /** How long a drain waits, after its spread, for the sessions it closed gracefully to end. */
    static final long DRAIN_GRACE_MS = 2000;

    /**
     * Stops taking sessions and closes the open ones gracefully, spread over {@code drain-spread}; returns once they
     * have ended (at most the spread and {@link #DRAIN_GRACE_MS} more; what is left then is closed at once). Called
     * by a stopping process, off the event loop.
     */
    public void drain() {
        drain(drainSpreadMs);
    }

    /** {@link #drain()} over {@code spreadMs} (a worker of a cluster, whose default the cluster decides). */
    public void drain(long spreadMs) {
        if (!draining.compareAndSet(false, true)) {
            // drained already: at the start of the shutdown, and again by the shutdown observers
            return;
        }
        List<Future<Void>> closing = servers.values().stream().map(s -> s.drain(spreadMs)).toList();
        // a polling session ends with its client's next poll, at once unless the client is gone: past this, what is
        // left is closed at once
        long bound = spreadMs + DRAIN_GRACE_MS;
        try {
            Future.all(closing).toCompletionStage().toCompletableFuture().get(bound, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.debugf("Sessions still closing %d ms after drain-spread (%d ms): closed at once", DRAIN_GRACE_MS,
                    spreadMs);
        }
        servers.values().forEach(EngineServer::shutdown);
        for (AutoCloseable listener : listeners) {
            try {
                listener.close();
            } catch (Exception e) {
                LOG.debugf("a transport's listener failed to close: %s", e.getMessage());
            }
        }
        listeners.clear();
    }

    void shutdown(@Observes ShutdownEvent event) {
        slowConsumers.stop();
        drain();
    }
}
