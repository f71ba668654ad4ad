package dev.qsio.it.features.cluster;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import dev.qsio.it.support.ClientDriver;
import dev.qsio.it.support.ClusterProcess;
import dev.qsio.it.support.NodeRedisServer;
import dev.qsio.it.support.PostgresServer;

/**
 * {@link NodeInteropChecks} on PostgreSQL: a Node socket.io 4.x server with {@code @socket.io/postgres-adapter}
 * 0.5 and a Quarkus cluster (2 workers, {@code quarkus.socketio.bus=postgres}) on one PostgreSQL. Broadcasts both ways
 * with binary values (through the attachments table), rooms, {@code fetchSockets}, {@code socketsJoin} and
 * {@code disconnectSockets}, {@code serverSideEmit} with acknowledgements and the server count, broadcasts with
 * acknowledgements, from each side.
 */
class PostgresInteropIT extends NodeInteropChecks {

    static PostgresServer postgres;

    static Map<String, String> hostProperties(String node, PostgresServer postgres) {
        Map<String, String> p = new HashMap<>(postgres.datasource());
        p.put("quarkus.socketio.bus", "postgres");
        p.put("quarkus.socketio.cluster.node-id", node);
        return p;
    }

    @BeforeAll
    static void start() {
        postgres = PostgresServer.start("interop");
        quarkus = ClusterProcess.launch(JAR, 2, hostProperties("quarkus-host", postgres), "pg-interop");
        node = NodeRedisServer.startPostgres("postgresql://postgres@127.0.0.1:" + postgres.port() + "/postgres");
        nodeUrl = node.url();
        quarkus.awaitReady(2);
        // the Node server counts itself and the two workers by their heartbeats in the main namespace
        ClientDriver probe = ClientDriver.start();
        try {
            probe.connect("probe", nodeUrl, Map.of("transports", List.of("websocket")));
            probe.await("probe", "connect");
            await().atMost(Duration.ofSeconds(30)).until(() -> probe.call("probe", 15_000, "servers").get(0).asInt() == 3);
        } finally {
            probe.close();
        }
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
        if (quarkus != null) {
            quarkus.close();
        }
        postgres.close();
    }
}
