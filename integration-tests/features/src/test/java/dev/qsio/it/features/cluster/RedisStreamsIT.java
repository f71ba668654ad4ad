package dev.qsio.it.features.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import dev.qsio.it.support.ClientDriver;
import dev.qsio.it.support.ClusterProcess;
import dev.qsio.it.support.NodeRedisServer;
import dev.qsio.it.support.RedisServer;

/**
 * A Quarkus host and a Node socket.io server with {@code @socket.io/redis-streams-adapter} 0.3.1 on one Redis
 * ({@code quarkus.socketio.redis.adapter=streams}), both with connection state recovery: broadcasts, rooms, requests
 * both ways, and a client whose connection drops in the middle of a broadcast stream and comes back on the other
 * kind of server, again and again (Node to Quarkus, Quarkus to Node), each time with its id, its rooms and every
 * broadcast it missed, in order, once.
 */
class RedisStreamsIT {

    static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar");

    @Test
    void aFleetOfNodeAndQuarkusServersOnTheStreamsAdapterSharesBroadcastsRequestsAndRecovery() {
        try (RedisServer redis = RedisServer.start("streams");
                ClusterProcess quarkus = ClusterProcess.launch(JAR, 2, Map.of("quarkus.socketio.bus", "redis",
                        "quarkus.socketio.redis.url", redis.url(), "quarkus.socketio.redis.adapter", "streams",
                        "quarkus.socketio.connection-state-recovery.enabled", "true",
                        "quarkus.socketio.cluster.node-id", "quarkus-host"), "streams-quarkus");
                NodeRedisServer node = NodeRedisServer.startStreams(redis.url());
                ClientDriver driver = ClientDriver.start()) {
            quarkus.awaitReady(2);
            // two Quarkus workers and the Node server listen on the main namespace's channel
            await().atMost(Duration.ofSeconds(10)).until(() -> redis.subscribers("socket.io#/#") == 3);
            driver.connect("q", quarkus.url(), Map.of("transports", List.of("websocket")),
                    Map.of("question", List.of("from q")));
            driver.connect("n", node.url(), Map.of("transports", List.of("polling")),
                    Map.of("question", List.of("from n")));
            driver.awaitEmit("q", "welcome");
            driver.awaitEmit("n", "welcome");

            // broadcasts both ways, once each
            driver.emit("q", "everyone", Map.of("from", "quarkus"));
            driver.emit("n", "everyone", Map.of("from", "node"));
            for (String id : List.of("q", "n")) {
                await().atMost(Duration.ofSeconds(10)).until(() -> driver.received(id, "everyone") == 2);
            }
            // requests both ways (they travel by pub/sub): server count, serverSideEmit, fetchSockets
            assertThat(driver.call("q", 15_000, "servers").get(0).asInt()).isEqualTo(3);
            assertThat(driver.call("n", 15_000, "servers").get(0).asInt()).isEqualTo(3);
            assertThat(driver.call("q", 15_000, "ping-servers").get(0)).hasSize(2);
            assertThat(driver.call("n", 15_000, "ping-servers").get(0)).hasSize(2);
            driver.call("q", 15_000, "join", "both");
            driver.call("n", 15_000, "join", "both");
            assertThat(driver.call("n", 15_000, "fetch", "both").get(0)).hasSize(2);
            assertThat(driver.call("q", 15_000, "fetch", "both").get(0)).hasSize(2);

            // a client first on the Node server, in a room that receives a stream from a Quarkus worker
            driver.connectTracking("t", node.url(), Map.of("transports", List.of("websocket")), "n");
            String sid = driver.await("t", "connect").get("sid").asText();
            assertThat(driver.call("t", 15_000, "where").get(0).asText()).isEqualTo("node");
            driver.call("t", 15_000, "join", "r");
            int count = 1500;
            String ref = "stream-" + System.nanoTime();
            driver.emitWithAck("q", ref, 120_000, "stream", "S", count, 5, "r");
            // the connection drops, and the client comes back on the other kind of server each time
            List<String> where = Moves.recoverAcross(driver, "t", sid, List.of(quarkus.url(), node.url(), quarkus.url()));
            assertThat(where).satisfiesExactly(w -> assertThat(w).startsWith("quarkus-host/"),
                    w -> assertThat(w).isEqualTo("node"), w -> assertThat(w).startsWith("quarkus-host/"));
            driver.awaitAck("q", ref);
            // what a Node server's adapter may deliver twice (see Moves), and nothing else twice or out of order
            String onNode = driver.events("t", "connect").get(2).path("engine").asText();
            Moves.assertWholeStreamRedeliveredOnlyOn(driver, "t", count, Set.of(onNode));
            // still in its room, as both kinds of server see it
            assertThat(driver.call("n", 15_000, "fetch", "r").get(0).toString()).contains(sid);
            assertThat(driver.call("q", 15_000, "fetch", "r").get(0).toString()).contains(sid);
        }
    }

}
