package dev.qsio.runtime.metrics;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import com.fasterxml.jackson.databind.JsonNode;

import dev.qsio.ClusterInfo;
import dev.qsio.WorkerInfo;
import dev.qsio.WorkerState;
import dev.qsio.runtime.cluster.ClusterBus;
import dev.qsio.runtime.cluster.Primary;
import dev.qsio.runtime.cluster.Worker;
import dev.qsio.runtime.cluster.WorkerStats;
import dev.qsio.runtime.config.SocketIoRuntimeConfig;
import dev.qsio.runtime.engine.EngineEndpoints;
import dev.qsio.runtime.server.SocketIoServerImpl;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.vertx.core.Vertx;

/**
 * The Socket.IO meters. Every series carries a {@code worker} label. In the primary of a cluster, the meters of
 * every worker are registered from the counters the workers report over the bus, so one scrape of the primary's
 * {@code /q/metrics} covers the whole host; the cluster meters (workers by state, restarts, crashes) are there too.
 * In a single process (worker {@code 0}) the meters read this process's counters.
 */
@Singleton
public class SocketIoMeters implements MeterBinder {

    @Inject
    ClusterInfo identity;

    @Inject
    Primary primary;

    @Inject
    Worker worker;

    @Inject
    EngineEndpoints engines;

    @Inject
    SocketIoServerImpl server;

    @Inject
    Vertx vertx;

    @Inject
    ClusterBus clusterBus;

    @Inject
    SocketIoRuntimeConfig runtime;

    private boolean redisConfigured;
    private boolean postgresConfigured;

    private MeterRegistry registry;
    private final Set<Integer> registeredWorkers = ConcurrentHashMap.newKeySet();
    private final Set<String> registeredSocketGauges = ConcurrentHashMap.newKeySet();
    private final Map<Integer, Supplier<JsonNode>> sources = new ConcurrentHashMap<>();

    @Override
    public void bindTo(MeterRegistry registry) {
        this.registry = registry;
        this.redisConfigured = runtime.bus() == SocketIoRuntimeConfig.BusKind.REDIS;
        this.postgresConfigured = runtime.bus() == SocketIoRuntimeConfig.BusKind.POSTGRES;
        if (identity.isPrimary()) {
            for (WorkerState state : WorkerState.values()) {
                Gauge.builder("socketio.cluster.workers", primary,
                        p -> p.workers().stream().filter(w -> w.state() == state).count())
                        .tag("state", state.label()).description("Workers of this host by state").register(registry);
            }
            Gauge.builder("socketio.cluster.workers.ready", primary, p -> p.workers().stream().filter(WorkerInfo::ready).count())
                    .description("Workers that accept connections").register(registry);
        } else {
            register(identity.workerId(), cachedLocalStats());
        }
        vertx.setPeriodic(1000, t -> refresh());
    }

    /** Registers the meters of workers that appeared and of (namespace, transport) pairs that appeared. */
    private void refresh() {
        if (identity.isPrimary() && primary.isRunning()) {
            for (WorkerInfo w : primary.workers()) {
                if (!registeredWorkers.contains(w.id())) {
                    int id = w.id();
                    register(id, () -> primary.statsOf(id));
                    FunctionCounter.builder("socketio.cluster.worker.restarts", primary,
                            p -> p.workers().stream().filter(x -> x.id() == id).mapToInt(WorkerInfo::restarts).sum())
                            .tag("worker", String.valueOf(id)).description("Restarts of a worker after crashes")
                            .register(registry);
                    FunctionCounter.builder("socketio.cluster.worker.crashes", primary, p -> p.crashesOf(id))
                            .tag("worker", String.valueOf(id)).description("Exits of a worker nobody asked for")
                            .register(registry);
                }
            }
        }
        sources.forEach((id, source) -> {
            JsonNode stats = source.get();
            if (stats == null) {
                return;
            }
            stats.path("sockets").fields().forEachRemaining(ns -> {
                for (String transport : List.of("polling", "websocket")) {
                    String key = id + "|" + ns.getKey() + "|" + transport;
                    if (registeredSocketGauges.add(key)) {
                        String namespace = ns.getKey();
                        Gauge.builder("socketio.connected.sockets", source,
                                s -> value(s.get(), "sockets", namespace, transport))
                                .tags(Tags.of("worker", String.valueOf(id), "namespace", namespace, "transport", transport))
                                .description("Connected sockets").register(registry);
                    }
                }
            });
        });
    }

    private Supplier<JsonNode> cachedLocalStats() {
        JsonNode[] cache = new JsonNode[1];
        long[] at = { 0 };
        return () -> {
            long now = System.nanoTime();
            if (cache[0] == null || now - at[0] > 500_000_000L) {
                cache[0] = WorkerStats.snapshot(engines, server, true, worker.draining(), -1, clusterBus);
                at[0] = now;
            }
            return cache[0];
        };
    }

    private void register(int id, Supplier<JsonNode> source) {
        if (!registeredWorkers.add(id)) {
            return;
        }
        sources.put(id, source);
        Tags worker = Tags.of("worker", String.valueOf(id));
        counter("socketio.handshakes", source, worker.and("outcome", "accepted"), "Engine.IO handshakes", "engine",
                "handshakesAccepted");
        counter("socketio.handshakes", source, worker.and("outcome", "refused"), "Engine.IO handshakes", "engine",
                "handshakesRefused");
        counter("socketio.packets", source, worker.and("direction", "in"), "Socket.IO packets", "socketio", "packetsIn");
        counter("socketio.packets", source, worker.and("direction", "out"), "Socket.IO packets", "socketio", "packetsOut");
        counter("socketio.bytes", source, worker.and("direction", "in"), "Engine.IO payload bytes", "engine", "bytesIn");
        counter("socketio.bytes", source, worker.and("direction", "out"), "Engine.IO payload bytes", "engine", "bytesOut");
        counter("socketio.bus.broadcasts", source, worker.and("direction", "sent"), "Broadcasts over the cluster bus",
                "socketio", "broadcastsSent");
        counter("socketio.bus.broadcasts", source, worker.and("direction", "received"), "Broadcasts over the cluster bus",
                "socketio", "broadcastsReceived");
        counter("socketio.ack.timeouts", source, worker, "Acknowledgements that did not arrive in time", "socketio",
                "ackTimeouts");
        counter("socketio.handler.failures", source, worker,
                "Application handlers that threw or failed without an @OnError method", "socketio", "handlerFailures");
        counter("socketio.forwarded.requests", source, worker,
                "Polling requests served for sessions owned by another worker", "engine", "forwardedRequests");
        counter("socketio.upgrades", source, worker.and("outcome", "local"), "WebSocket upgrades", "engine",
                "upgradesLocal");
        counter("socketio.upgrades", source, worker.and("outcome", "taken_over"), "WebSocket upgrades", "engine",
                "upgradesTakenOver");
        counter("socketio.upgrades", source, worker.and("outcome", "relayed"), "WebSocket upgrades", "engine",
                "upgradesForwarded");
        counter("socketio.connections.handed.off", source, worker.and("direction", "sent"),
                "Connections handed to the worker of this host that owns their session", "engine", "connectionsHandedOff");
        counter("socketio.connections.handed.off", source, worker.and("direction", "received"),
                "Connections handed to the worker of this host that owns their session", "engine", "connectionsReceived");
        counter("socketio.buffer.overflows", source, worker,
                "Sessions closed because their client did not read what it was sent (max-buffered-bytes)", "engine",
                "bufferOverflows");
        Gauge.builder("socketio.engine.sessions", source, s -> value(s.get(), "engine", "sessions"))
                .tags(worker).description("Open Engine.IO sessions").register(registry);
        Gauge.builder("socketio.bus.round.trip", source, s -> value(s.get(), "busRoundTripMs"))
                .tags(worker).baseUnit("milliseconds").description("Round trip of a heartbeat to the primary")
                .register(registry);
        if (redisConfigured) {
            Gauge.builder("socketio.redis.up", source, s -> value(s.get(), "redis", "up"))
                    .tags(worker).description("1 while this server is connected to Redis").register(registry);
            Gauge.builder("socketio.redis.members", source, s -> value(s.get(), "redis", "members"))
                    .tags(worker).description("The servers this one sees on Redis, itself included").register(registry);
            counter("socketio.redis.outages", source, worker, "Times Redis went out of reach", "redis", "outages");
            counter("socketio.redis.dropped", source, worker,
                    "Publications dropped because Redis was out of reach", "redis", "dropped");
        }
        if (postgresConfigured) {
            Gauge.builder("socketio.postgres.up", source, s -> value(s.get(), "postgres", "up"))
                    .tags(worker).description("1 while this server listens on PostgreSQL").register(registry);
            Gauge.builder("socketio.postgres.members", source, s -> value(s.get(), "postgres", "members"))
                    .tags(worker).description("The servers this one sees on PostgreSQL, itself included").register(registry);
            counter("socketio.postgres.outages", source, worker, "Times PostgreSQL went out of reach", "postgres", "outages");
            counter("socketio.postgres.dropped", source, worker,
                    "Notifications dropped because PostgreSQL was out of reach", "postgres", "dropped");
            counter("socketio.postgres.notifications", source, worker, "Notifications published", "postgres",
                    "notifications");
            counter("socketio.postgres.transactions", source, worker,
                    "Transactions that published them (one carries every notification queued meanwhile)", "postgres",
                    "transactions");
        }
    }

    private void counter(String name, Supplier<JsonNode> source, Tags tags, String description, String... path) {
        FunctionCounter.builder(name, source, s -> value(s.get(), path)).tags(tags).description(description)
                .register(registry);
    }

    private static double value(JsonNode stats, String... path) {
        if (stats == null) {
            return 0;
        }
        JsonNode n = stats;
        for (String p : path) {
            n = n.path(p);
        }
        if (n.isBoolean()) {
            return n.asBoolean() ? 1 : 0;
        }
        return n.isNumber() ? n.asDouble() : 0;
    }
}
