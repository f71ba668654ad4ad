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
import dev.qsio.runtime.cluster.Primary;
import dev.qsio.runtime.server.Namespace;
import dev.qsio.runtime.server.SocketIoServerImpl;

/** The live data of the Dev UI card, over JSON-RPC: connected sockets, counts, the cluster. */
public class SocketIoDevUiService {

    @Inject
    SocketIoServerImpl server;

    @Inject
    ClusterInfo identity;

    @Inject
    Primary primary;

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
        cluster.put("role", identity.role().name().toLowerCase(Locale.ROOT));
        cluster.put("node", identity.nodeId());
        cluster.put("worker", identity.workerId());
        cluster.put("pid", identity.pid());
        List<Map<String, Object>> workers = new ArrayList<>();
        if (primary.isStarted()) {
            for (WorkerInfo w : primary.workers()) {
                workers.add(Map.of("id", w.id(), "pid", w.pid(), "state", w.state(), "ready", w.ready(), "restarts",
                        w.restarts()));
            }
        }
        cluster.put("workers", workers);
        return cluster;
    }
}
