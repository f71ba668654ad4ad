package dev.qsio.runtime.devui;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import jakarta.inject.Inject;

import dev.qsio.ClusterInfo;
import dev.qsio.SocketIoSocket;
import dev.qsio.WorkerInfo;
import dev.qsio.runtime.cluster.Figures;
import dev.qsio.runtime.cluster.ProcessRole;
import dev.qsio.runtime.engine.EngineFigure;
import dev.qsio.runtime.server.Namespace;
import dev.qsio.runtime.server.ServerFigure;
import dev.qsio.runtime.server.SocketIoServerImpl;

/** The live data of the Dev UI card, over JSON-RPC: connected sockets, counts, the cluster and this process's figures. */
public class SocketIoDevUiService {

    @Inject
    SocketIoServerImpl server;

    @Inject
    ClusterInfo identity;

    @Inject
    ProcessRole role;

    /** The connected sockets of every namespace, with their rooms and transport. */
    public List<Map<String, Object>> getSockets() {
        List<Map<String, Object>> sockets = new ArrayList<>();
        for (Namespace namespace : server.namespaces()) {
            for (SocketIoSocket s : namespace.localSockets()) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("namespace", namespace.name());
                row.put("id", s.id());
                row.put("transport", s.transport());
                row.put("rooms", String.join(", ", s.rooms().stream().filter(r -> !r.equals(s.id())).sorted().toList()));
                row.put("address", s.handshake().address());
                row.put("connectedAt", s.handshake().time().toString());
                sockets.add(row);
            }
        }
        return sockets;
    }

    /** The number of connected sockets, for the card's label. */
    public String getSocketCount() {
        int n = 0;
        for (Namespace namespace : server.namespaces()) {
            n += namespace.localSockets().size();
        }
        return String.valueOf(n);
    }

    /** This process's role, and the workers when it is the primary of a cluster. */
    public Map<String, Object> getCluster() {
        Map<String, Object> cluster = new LinkedHashMap<>();
        cluster.put("role", role.role().name().toLowerCase(Locale.ROOT));
        cluster.put("node", identity.nodeId());
        cluster.put("worker", identity.workerId());
        cluster.put("pid", identity.pid());
        List<Map<String, Object>> workers = new ArrayList<>();
        for (WorkerInfo w : role.workers()) {
            workers.add(Map.of("id", w.id(), "pid", w.pid(), "state", w.state(), "ready", w.ready(), "restarts",
                    w.restarts()));
        }
        cluster.put("workers", workers);
        cluster.put("figures", figures(role.localFigures()));
        return cluster;
    }

    /** The counters of this process, one row a figure, as its metrics publish them. */
    private static List<Map<String, Object>> figures(Figures figures) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (EngineFigure f : EngineFigure.values()) {
            rows.add(Map.of("group", "engine", "figure", f.key(), "value", figures.engine().get(f)));
        }
        for (ServerFigure f : ServerFigure.values()) {
            rows.add(Map.of("group", "socketio", "figure", f.key(), "value", figures.socketio().get(f)));
        }
        return rows;
    }
}
