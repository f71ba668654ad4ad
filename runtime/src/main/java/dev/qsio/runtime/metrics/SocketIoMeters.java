package dev.qsio.runtime.metrics;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import dev.qsio.WorkerInfo;
import dev.qsio.WorkerState;
import dev.qsio.runtime.cluster.ClusterBus;
import dev.qsio.runtime.cluster.Figures;
import dev.qsio.runtime.adapter.InMemorySessionStore;
import dev.qsio.runtime.cluster.ProcessRole;
import dev.qsio.runtime.engine.EngineFigure;
import dev.qsio.runtime.figures.Figure;
import dev.qsio.runtime.figures.FigureGroup;
import dev.qsio.runtime.figures.Meter;
import dev.qsio.runtime.server.ServerFigure;
import dev.qsio.runtime.wire.WireProvider;
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
    ProcessRole role;

    @Inject
    Vertx vertx;

    @Inject
    ClusterBus clusterBus;

    /** The figures the layers above count (the Admin UI's logins): a meter each, per worker. */
    @Inject
    @Any
    Instance<FigureGroup> figureGroups;

    /** The wire between hosts whose figures are published ({@code socketio.<name>.*}), or null. */
    private String wireName;
    private String wireDisplayName;
    /** The wire's own figures ({@link WireProvider#figures()}). */
    private List<Figure> wireFigures = List.of();

    private MeterRegistry registry;
    private final Set<Integer> registeredWorkers = ConcurrentHashMap.newKeySet();
    private final Set<String> registeredSocketGauges = ConcurrentHashMap.newKeySet();
    private final Map<Integer, Supplier<Figures>> sources = new ConcurrentHashMap<>();
    /** What the recovery meters read, held strongly for them. */
    private Supplier<InMemorySessionStore> recoveryStore;

    @Override
    public void bindTo(MeterRegistry registry) {
        this.registry = registry;
        WireProvider wire = clusterBus.wireProvider();
        if (wire != null) {
            wireName = wire.name();
            wireDisplayName = wire.displayName();
            wireFigures = wire.figures();
        }
        if (role.supervises()) {
            for (WorkerState state : WorkerState.values()) {
                Gauge.builder("socketio.cluster.workers", role,
                        r -> r.workers().stream().filter(w -> w.state() == state).count())
                        .tag("state", state.label()).description("Workers of this host by state").register(registry);
            }
            Gauge.builder("socketio.cluster.workers.ready", role, r -> r.workers().stream().filter(WorkerInfo::ready).count())
                    .description("Workers that accept connections").register(registry);
        }
        registerServers();
        bindRecovery(registry);
        vertx.setPeriodic(1000, t -> refresh());
    }

    /**
     * The broadcast log and sessions of connection state recovery kept in memory: by one process, or by the primary
     * for the workers of its host on the local bus (the buses between hosts keep theirs in Redis or PostgreSQL).
     */
    private void bindRecovery(MeterRegistry registry) {
        Supplier<InMemorySessionStore> store = role.recoveryStore();
        if (store == null) {
            return;
        }
        // held here: a meter holds what it reads weakly, and nothing else holds this supplier (the meters read NaN
        // after the first collection that found it)
        recoveryStore = store;
        ToDoubleFunction<Supplier<InMemorySessionStore>> sessions = x -> x.get() == null ? 0 : x.get().sessionsKept();
        Gauge.builder("socketio.recovery.sessions", store, sessions)
                .description("Sessions kept for connection state recovery, connected and disconnected").register(registry);
        Gauge.builder("socketio.recovery.log.entries", store, x -> x.get() == null ? 0 : x.get().logEntries())
                .description("Broadcasts in the recovery log").register(registry);
        Gauge.builder("socketio.recovery.log.bytes", store, x -> x.get() == null ? 0 : x.get().logBytes())
                .baseUnit("bytes").description("About the bytes the recovery log holds").register(registry);
        FunctionCounter.builder("socketio.recovery.log.trimmed", store, x -> x.get() == null ? 0 : x.get().trimmedEntries())
                .description("Broadcasts trimmed from the recovery log by max-log-bytes before their window had passed")
                .register(registry);
    }

    /** Registers the meters of workers that appeared and of (namespace, transport) pairs that appeared. */
    private void refresh() {
        registerServers();
        sources.forEach((id, source) -> {
            Figures figures = source.get();
            if (figures == null) {
                return;
            }
            for (String namespace : figures.sockets().keySet()) {
                for (String transport : figures.sockets().get(namespace).keySet()) {
                    String key = id + "|" + namespace + "|" + transport;
                    if (registeredSocketGauges.add(key)) {
                        Gauge.builder("socketio.connected.sockets", source,
                                s -> read(s, f -> f.sockets(namespace, transport)))
                                .tags(Tags.of("worker", String.valueOf(id), "namespace", namespace, "transport", transport))
                                .description("Connected sockets").register(registry);
                    }
                }
            }
        });
    }

    /** Registers the meters of the servers this process reports for that have none yet. */
    private void registerServers() {
        for (WorkerInfo w : role.workers()) {
            if (!registeredWorkers.contains(w.id())) {
                int id = w.id();
                FunctionCounter.builder("socketio.cluster.worker.restarts", role,
                        r -> r.workers().stream().filter(x -> x.id() == id).mapToInt(WorkerInfo::restarts).sum())
                        .tag("worker", String.valueOf(id)).description("Restarts of a worker after crashes")
                        .register(registry);
                FunctionCounter.builder("socketio.cluster.worker.crashes", role, r -> r.crashesOf(id))
                        .tag("worker", String.valueOf(id)).description("Exits of a worker nobody asked for")
                        .register(registry);
            }
        }
        role.servers().forEach((id, source) -> register(id, cached(source)));
    }

    /** A server's figures, read at most every half second (its meters read them one by one). */
    private static Supplier<Figures> cached(Supplier<Figures> source) {
        Figures[] cache = new Figures[1];
        long[] at = { 0 };
        return () -> {
            long now = System.nanoTime();
            if (cache[0] == null || now - at[0] > 500_000_000L) {
                cache[0] = source.get();
                at[0] = now;
            }
            return cache[0];
        };
    }

    /** The meters of one server, from the figures its layers declare ({@link Figure#meter()}). */
    private void register(int id, Supplier<Figures> source) {
        if (!registeredWorkers.add(id)) {
            return;
        }
        sources.put(id, source);
        Tags worker = Tags.of("worker", String.valueOf(id));
        for (EngineFigure f : EngineFigure.values()) {
            register(f.meter(), worker, source, figures -> figures.engine().get(f));
        }
        for (ServerFigure f : ServerFigure.values()) {
            register(f.meter(), worker, source, figures -> figures.socketio().get(f));
        }
        for (FigureGroup g : figureGroups) {
            for (Figure figure : g.figures()) {
                register(figure.meter(), worker, source, f -> f.group(g.group(), figure.key()));
            }
        }
        Gauge.builder("socketio.bus.round.trip", source, s -> read(s, Figures::busRoundTripMs))
                .tags(worker).baseUnit("milliseconds").description("Round trip of a heartbeat to the primary")
                .register(registry);
        if (wireName != null) {
            String prefix = "socketio." + wireName + ".";
            register(Meter.gauge(prefix + "up", "1 while this server is connected to " + wireDisplayName), worker,
                    source, f -> f.wire() != null && f.wire().up() ? 1 : 0);
            register(Meter.gauge(prefix + "members", "The servers this one sees on " + wireDisplayName
                    + ", itself included"), worker, source, f -> f.wire() == null ? 0 : f.wire().members());
            register(Meter.counter(prefix + "outages", "Times " + wireDisplayName + " went out of reach"), worker,
                    source, f -> f.wire() == null ? 0 : f.wire().outages());
            register(Meter.counter(prefix + "dropped", "Publications dropped because " + wireDisplayName
                    + " was out of reach"), worker, source, f -> f.wire() == null ? 0 : f.wire().dropped());
            for (Figure figure : wireFigures) {
                register(figure.meter(), worker, source,
                        f -> f.wire() == null ? 0 : f.wire().own().getOrDefault(figure.key(), 0L));
            }
        }
    }

    private void register(Meter meter, Tags worker, Supplier<Figures> source, ToDoubleFunction<Figures> value) {
        if (meter == null) {
            return;
        }
        Tags tags = worker.and(meter.tags().toArray(String[]::new));
        if (meter.gauge()) {
            Gauge.builder(meter.name(), source, s -> read(s, value)).tags(tags).description(meter.description())
                    .register(registry);
        } else {
            FunctionCounter.builder(meter.name(), source, s -> read(s, value)).tags(tags)
                    .description(meter.description()).register(registry);
        }
    }

    /** A figure of a server, 0 while it has reported none. */
    private static double read(Supplier<Figures> source, ToDoubleFunction<Figures> value) {
        Figures figures = source.get();
        return figures == null ? 0 : value.applyAsDouble(figures);
    }
}
