package dev.qsio.runtime.admin;

import java.util.LinkedHashMap;
import java.util.Map;

import dev.qsio.runtime.engine.EngineEndpoints;
import dev.qsio.runtime.engine.EngineFigure;
import dev.qsio.runtime.engine.EngineServer;
import dev.qsio.runtime.engine.EngineSession;
import dev.qsio.runtime.engine.EngineStats;
import dev.qsio.runtime.figures.Counts;
import dev.qsio.runtime.figures.Figure;
import dev.qsio.runtime.server.Namespace;
import dev.qsio.runtime.server.ServerFigure;
import dev.qsio.runtime.server.SocketIoServerImpl;

/**
 * Every figure the Admin UI shows, read in this one class from the engine and the server of this process: the
 * sessions of the Socket.IO engine and how many poll, the connections and disconnections so far, packets and bytes,
 * and the sockets of each namespace. Read every second by {@link AdminUi} while the Admin UI is on; never otherwise.
 */
final class AdminFigures {

    /** Totals since the start, from which {@link AggregatedEvents} makes Node's per-second counts. */
    record Totals(long connections, Map<String, Long> disconnections, long packetsIn, long packetsOut, long bytesIn,
            long bytesOut) {
    }

    private final EngineEndpoints engines;
    private final SocketIoServerImpl server;
    /** The path of the Socket.IO engine (raw Engine.IO endpoints are not Socket.IO clients). */
    private final String path;

    AdminFigures(EngineEndpoints engines, SocketIoServerImpl server, String path) {
        this.engines = engines;
        this.server = server;
        this.path = path;
    }

    /** The Socket.IO engine, or null before its first request. */
    private EngineServer<?> engine() {
        for (EngineServer<?> e : engines.servers()) {
            if (e.path().equals(path)) {
                return e;
            }
        }
        return null;
    }

    /** Node's {@code io.engine.clientsCount}: the open Engine.IO sessions. */
    int clientsCount() {
        EngineServer<?> engine = engine();
        return engine == null ? 0 : engine.sessions().size();
    }

    /** The sessions whose transport is request-based (Node's {@code _pollingClientsCount}). */
    int pollingClientsCount() {
        EngineServer<?> engine = engine();
        int n = 0;
        if (engine != null) {
            for (EngineSession<?> session : engine.sessions()) {
                if (session.requestBased()) {
                    n++;
                }
            }
        }
        return n;
    }

    Totals totals() {
        EngineServer<?> engine = engine();
        Counts<ServerFigure> socketio = server.stats().snapshot();
        long packetsIn = socketio.get(ServerFigure.PACKETS_IN);
        long packetsOut = socketio.get(ServerFigure.PACKETS_OUT);
        if (engine == null) {
            return new Totals(0, Map.of(), packetsIn, packetsOut, 0, 0);
        }
        EngineStats stats = engine.stats();
        Counts<EngineFigure> e = stats.snapshot();
        return new Totals(e.get(EngineFigure.HANDSHAKES_ACCEPTED), stats.closesByReason(), packetsIn, packetsOut,
                e.get(EngineFigure.BYTES_IN), e.get(EngineFigure.BYTES_OUT));
    }

    /** The sockets of this process in each namespace it knows. */
    Map<String, Integer> socketsByNamespace() {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (Namespace namespace : server.namespaces()) {
            counts.put(namespace.name(), namespace.sockets().size());
        }
        return counts;
    }

    /**
     * What the limits and policies did to clients since the start ({@link Figure#limit()}: refused, throttled, dropped,
     * closed), by group and key as in the cluster endpoint's stats: {@code engine}, {@code socketio} and
     * {@code adminLogins} ({@code logins}).
     */
    Map<String, Map<String, Long>> limits(Counts<AdminLoginFigure> logins) {
        EngineServer<?> engine = engine();
        Map<String, Map<String, Long>> groups = new LinkedHashMap<>();
        groups.put("engine", limitsOf(EngineFigure.values(), engine == null ? null : engine.stats().snapshot()));
        groups.put("socketio", limitsOf(ServerFigure.values(), server.stats().snapshot()));
        groups.put("adminLogins", limitsOf(AdminLoginFigure.values(), logins));
        return groups;
    }

    private static <F extends Enum<F> & Figure> Map<String, Long> limitsOf(F[] figures, Counts<F> counts) {
        Map<String, Long> values = new LinkedHashMap<>();
        for (F f : figures) {
            if (f.limit()) {
                values.put(f.key(), counts == null ? 0 : counts.get(f));
            }
        }
        return values;
    }
}
