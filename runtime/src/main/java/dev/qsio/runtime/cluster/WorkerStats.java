package dev.qsio.runtime.cluster;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.qsio.SocketIoSocket;
import dev.qsio.runtime.bus.RedisBus;
import dev.qsio.runtime.bus.RedisChannels;
import dev.qsio.runtime.engine.EngineEndpoints;
import dev.qsio.runtime.engine.EngineServer;
import dev.qsio.runtime.engine.EngineStats;
import dev.qsio.runtime.handoff.ConnectionHandOff;
import dev.qsio.runtime.postgres.PostgresWire;
import dev.qsio.runtime.server.Namespace;
import dev.qsio.runtime.server.ServerStats;
import dev.qsio.runtime.server.SocketIoServerImpl;

/**
 * A snapshot of one server's counters: connected sockets by namespace and transport, and the engine's counters.
 * Workers send it to the primary with their heartbeat, so that one place sees the whole host.
 */
public final class WorkerStats {

    private static final ObjectMapper JSON = new ObjectMapper();

    private WorkerStats() {
    }

    public static ObjectNode snapshot(EngineEndpoints engines, SocketIoServerImpl server, boolean ready, boolean draining,
            long busRoundTripNanos, ClusterBus clusterBus) {
        RedisBus redis = clusterBus.redis();
        ConnectionHandOff handOff = clusterBus.connectionHandOff();
        ObjectNode stats = JSON.createObjectNode();
        stats.put("ready", ready).put("draining", draining);
        ObjectNode sockets = stats.putObject("sockets");
        for (Namespace namespace : server.namespaces()) {
            int websocket = 0;
            int polling = 0;
            for (SocketIoSocket socket : namespace.localSockets()) {
                if ("websocket".equals(socket.transport())) {
                    websocket++;
                } else {
                    polling++;
                }
            }
            if (websocket + polling > 0) {
                sockets.putObject(namespace.name()).put("websocket", websocket).put("polling", polling);
            }
        }
        long sessions = 0;
        long accepted = 0;
        long refused = 0;
        long in = 0;
        long out = 0;
        long forwardedRequests = 0;
        long local = 0;
        long takenOver = 0;
        long forwarded = 0;
        long handedOff = 0;
        long overflows = 0;
        for (EngineServer<?> s : engines.servers()) {
            EngineStats e = s.stats();
            sessions += s.sessions().size();
            accepted += e.handshakesAccepted();
            refused += e.handshakesRefused();
            in += e.bytesIn();
            out += e.bytesOut();
            forwardedRequests += e.forwardedRequests();
            local += e.upgradesLocal();
            takenOver += e.upgradesTakenOver();
            forwarded += e.upgradesForwarded();
            handedOff += e.connectionsHandedOff();
            overflows += e.bufferOverflows();
        }
        stats.putObject("engine")
                .put("sessions", sessions)
                .put("handshakesAccepted", accepted)
                .put("handshakesRefused", refused)
                .put("bytesIn", in)
                .put("bytesOut", out)
                .put("forwardedRequests", forwardedRequests)
                .put("upgradesLocal", local)
                .put("upgradesTakenOver", takenOver)
                .put("upgradesForwarded", forwarded)
                .put("connectionsHandedOff", handedOff)
                .put("bufferOverflows", overflows)
                .put("connectionsReceived", handOff == null ? 0 : handOff.received())
                .put("handOffFailures", handOff == null ? 0 : handOff.failed());
        ServerStats s = server.stats();
        stats.putObject("socketio")
                .put("packetsIn", s.packetsIn())
                .put("packetsOut", s.packetsOut())
                .put("ackTimeouts", s.ackTimeouts())
                .put("handlerFailures", s.handlerFailures())
                .put("broadcastsSent", s.broadcastsSent())
                .put("broadcastsReceived", s.broadcastsReceived());
        stats.put("busRoundTripMs", busRoundTripNanos < 0 ? -1 : busRoundTripNanos / 1e6);
        if (redis != null) {
            ObjectNode r = stats.putObject("redis");
            RedisChannels channels = redis.channels();
            r.put("up", redis.isUp()).put("members", redis.members().size()).put("outages", channels.outages())
                    .put("dropped", channels.dropped());
            if (channels.lastError() != null) {
                r.put("error", channels.lastError());
            }
        }
        PostgresWire postgres = clusterBus.postgres();
        if (postgres != null) {
            PostgresWire.State p = postgres.state();
            ObjectNode pg = stats.putObject("postgres");
            pg.put("up", p.up()).put("members", p.members()).put("outages", p.outages()).put("dropped", p.dropped())
                    .put("notifications", p.published()).put("transactions", p.batches());
            if (p.lastError() != null) {
                pg.put("error", p.lastError());
            }
        }
        return stats;
    }
}
