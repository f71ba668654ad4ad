package dev.qsio.runtime.cluster;

import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.qsio.SocketIoSocket;
import dev.qsio.runtime.engine.EngineEndpoints;
import dev.qsio.runtime.engine.EngineFigure;
import dev.qsio.runtime.engine.EngineServer;
import dev.qsio.runtime.engine.Transports;
import dev.qsio.runtime.figures.Counts;
import dev.qsio.runtime.figures.FigureGroup;
import dev.qsio.runtime.handoff.ConnectionHandOff;
import dev.qsio.runtime.server.Namespace;
import dev.qsio.runtime.server.ServerFigure;
import dev.qsio.runtime.server.SocketIoServerImpl;
import dev.qsio.runtime.wire.Wire;
import dev.qsio.runtime.wire.WireFigures;

/**
 * The figures of one server (a worker, or a single process) at one moment, typed: metrics, readiness, the Dev UI and
 * the cluster endpoint read them from here. A worker sends them to its primary with its heartbeat ({@link #toJson()},
 * {@link #fromJson(JsonNode)}), so that one place sees the whole host; the cluster endpoint shows that JSON.
 *
 * @param sockets the connected sockets of each namespace that has any, by transport name
 * @param busRoundTripMs the round trip of a heartbeat to the primary, or -1 when not known
 * @param wireName the wire between hosts (its group's key), or null when there is none
 * @param wire what the wire between hosts reports, or null when there is none
 * @param groups the figures of the layers above ({@link FigureGroup}): by group, each figure's value by key
 */
public record Figures(boolean ready, boolean draining, Map<String, Map<String, Integer>> sockets,
        Counts<EngineFigure> engine, Counts<ServerFigure> socketio, double busRoundTripMs, String wireName,
        WireFigures wire, Map<String, Map<String, Long>> groups) {

    /** Figures without groups of the layers above. */
    public Figures(boolean ready, boolean draining, Map<String, Map<String, Integer>> sockets,
            Counts<EngineFigure> engine, Counts<ServerFigure> socketio, double busRoundTripMs, String wireName,
            WireFigures wire) {
        this(ready, draining, sockets, engine, socketio, busRoundTripMs, wireName, wire, Map.of());
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    /** The keys of the JSON that are not a group of the layers above. */
    private static final Set<String> OWN_KEYS = Set.of("ready", "draining", "sockets", "engine", "socketio",
            "busRoundTripMs");

    /** The value of figure {@code key} of group {@code group} (0 when not reported). */
    public long group(String group, String key) {
        return groups.getOrDefault(group, Map.of()).getOrDefault(key, 0L);
    }
    /** The keys of what every wire reports; the others of its group are the wire's own figures. */
    private static final Set<String> COMMON_WIRE_KEYS = Set.of("up", "members", "outages", "dropped", "error");

    /** The sockets of a namespace on one transport (0 when none). */
    public int sockets(String namespace, String transport) {
        return sockets.getOrDefault(namespace, Map.of()).getOrDefault(transport, 0);
    }

    /** The figures of this process now. */
    public static Figures of(EngineEndpoints engines, SocketIoServerImpl server, boolean ready, boolean draining,
            long busRoundTripNanos, ClusterBus clusterBus, Iterable<FigureGroup> layers) {
        Map<String, Map<String, Integer>> sockets = new LinkedHashMap<>();
        for (Namespace namespace : server.namespaces()) {
            Map<String, Integer> byTransport = new LinkedHashMap<>();
            Transports.ALL.forEach(t -> byTransport.put(t.name(), 0));
            int n = 0;
            for (SocketIoSocket socket : namespace.localSockets()) {
                byTransport.merge(socket.transport(), 1, Integer::sum);
                n++;
            }
            if (n > 0) {
                sockets.put(namespace.name(), byTransport);
            }
        }
        Counts<EngineFigure> engine = Counts.zero(EngineFigure.class);
        long sessions = 0;
        for (EngineServer<?> s : engines.servers()) {
            sessions += s.sessions().size();
            engine = engine.plus(s.stats().snapshot());
        }
        ConnectionHandOff handOff = clusterBus.connectionHandOff();
        engine = engine.with(EngineFigure.SESSIONS, sessions)
                .with(EngineFigure.CONNECTIONS_RECEIVED, handOff == null ? 0 : handOff.received())
                .with(EngineFigure.HAND_OFF_FAILURES, handOff == null ? 0 : handOff.failed());
        Wire wire = clusterBus.wire();
        Map<String, Map<String, Long>> groups = new LinkedHashMap<>();
        for (FigureGroup g : layers) {
            if (!g.figures().isEmpty()) {
                groups.put(g.group(), Map.copyOf(g.values()));
            }
        }
        return new Figures(ready, draining, Collections.unmodifiableMap(sockets), engine, server.stats().snapshot(),
                busRoundTripNanos < 0 ? -1 : busRoundTripNanos / 1e6,
                wire == null ? null : clusterBus.wireProvider().name(), wire == null ? null : wire.figures(),
                Collections.unmodifiableMap(groups));
    }

    /** The figures as JSON: a group per layer, each figure under its key. */
    public ObjectNode toJson() {
        ObjectNode json = JSON.createObjectNode();
        json.put("ready", ready).put("draining", draining);
        ObjectNode s = json.putObject("sockets");
        sockets.forEach((namespace, byTransport) -> {
            ObjectNode ns = s.putObject(namespace);
            byTransport.forEach(ns::put);
        });
        engine.writeTo(json.putObject("engine"));
        socketio.writeTo(json.putObject("socketio"));
        json.put("busRoundTripMs", busRoundTripMs);
        if (wire != null) {
            ObjectNode w = json.putObject(wireName);
            w.put("up", wire.up()).put("members", wire.members()).put("outages", wire.outages())
                    .put("dropped", wire.dropped());
            wire.own().forEach(w::put);
            if (wire.error() != null) {
                w.put("error", wire.error());
            }
        }
        groups.forEach((group, values) -> {
            ObjectNode g = json.putObject(group);
            values.forEach(g::put);
        });
        return json;
    }

    /** The figures a worker sent; {@code wireName} says which group holds the wire's, if any. */
    public static Figures fromJson(JsonNode json, String wireName) {
        Map<String, Map<String, Integer>> sockets = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = json.path("sockets").fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> ns = it.next();
            Map<String, Integer> byTransport = new LinkedHashMap<>();
            ns.getValue().fields().forEachRemaining(t -> byTransport.put(t.getKey(), t.getValue().asInt()));
            sockets.put(ns.getKey(), Collections.unmodifiableMap(byTransport));
        }
        JsonNode w = wireName == null ? null : json.get(wireName);
        WireFigures wire = null;
        if (w != null) {
            Map<String, Long> own = new LinkedHashMap<>();
            w.fields().forEachRemaining(f -> {
                if (!COMMON_WIRE_KEYS.contains(f.getKey()) && f.getValue().isNumber()) {
                    own.put(f.getKey(), f.getValue().asLong());
                }
            });
            wire = new WireFigures(w.path("up").asBoolean(), w.path("members").asLong(), w.path("outages").asLong(),
                    w.path("dropped").asLong(), w.hasNonNull("error") ? w.get("error").asText() : null, own);
        }
        // every other object is a group of the layers above: figures by key
        Map<String, Map<String, Long>> groups = new LinkedHashMap<>();
        json.fields().forEachRemaining(f -> {
            if (!OWN_KEYS.contains(f.getKey()) && !f.getKey().equals(wireName) && f.getValue().isObject()) {
                Map<String, Long> values = new LinkedHashMap<>();
                f.getValue().fields().forEachRemaining(v -> values.put(v.getKey(), v.getValue().asLong()));
                groups.put(f.getKey(), Map.copyOf(values));
            }
        });
        return new Figures(json.path("ready").asBoolean(), json.path("draining").asBoolean(),
                Collections.unmodifiableMap(sockets), Counts.readFrom(EngineFigure.class, json.path("engine")),
                Counts.readFrom(ServerFigure.class, json.path("socketio")), json.path("busRoundTripMs").asDouble(-1),
                wire == null ? null : wireName, wire, Collections.unmodifiableMap(groups));
    }
}
