package dev.qsio.it.features.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.qsio.it.support.ClientDriver;
import dev.qsio.it.support.ClusterProcess;
import dev.qsio.it.support.NodeRedisServer;
import dev.qsio.it.support.RedisCluster;
import dev.qsio.it.support.RedisServer;

/**
 * A fleet on a Redis Cluster of 3 masters and 3 replicas (real {@code redis-server} processes): two Quarkus hosts of
 * 2 workers each with {@code quarkus.socketio.redis.mode=cluster}, and a Node socket.io server with
 * {@code createShardedAdapter} of {@code @socket.io/redis-adapter}, all on sharded pub/sub. Broadcasts, rooms,
 * acknowledgements, {@code fetchSockets} and {@code serverSideEmit} across all five servers; then the master that
 * holds the main namespace's channel is killed under a broadcast stream, and the fleet goes on once its replica has
 * taken over.
 */
class RedisClusterIT {

    static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar");
    static final String MAIN_CHANNEL = "socket.io#/#";
    static RedisCluster redis;
    static ClusterProcess hostA;
    static ClusterProcess hostB;
    static NodeRedisServer node;
    ClientDriver driver;
    final List<String> clients = new ArrayList<>();

    static Map<String, String> host(String nodeId) {
        return Map.of("quarkus.socketio.bus", "redis", "quarkus.socketio.redis.mode", "cluster",
                "quarkus.socketio.redis.url", redis.seeds(), "quarkus.socketio.cluster.node-id", nodeId);
    }

    @BeforeAll
    static void start() {
        redis = RedisCluster.start("fleet");
        hostA = ClusterProcess.launch(JAR, 2, host("host-a"), "rc-host-a");
        hostB = ClusterProcess.launch(JAR, 2, host("host-b"), "rc-host-b");
        node = NodeRedisServer.startSharded(redis.seeds());
        hostA.awaitReady(2);
        hostB.awaitReady(2);
        // four Quarkus workers and the Node server subscribe to the main namespace's channel, on the master of its slot
        await().atMost(Duration.ofSeconds(20)).until(() -> shardSubscribers(MAIN_CHANNEL) == 5);
    }

    static int shardSubscribers(String channel) {
        String[] reply = redis.command(redis.masterPortForSlotOf(channel), "PUBSUB", "SHARDNUMSUB", channel).split("\n");
        return reply.length < 2 ? 0 : Integer.parseInt(reply[1].trim());
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[] { node, hostA, hostB, redis }) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                // the others are stopped all the same
            }
        }
    }

    @BeforeEach
    void connect() {
        driver = ClientDriver.start();
        String[][] servers = { { "a", hostA.url() }, { "b", hostB.url() }, { "n", node.url() } };
        for (String[] server : servers) {
            for (int i = 0; i < 2; i++) {
                String id = server[0] + i;
                String transport = i == 0 ? "websocket" : "polling";
                driver.connectTracking(id, server[1], Map.of("transports", List.of(transport)), "n",
                        Map.of("question", List.of("from " + id)));
                driver.awaitEmit(id, "welcome");
                clients.add(id);
            }
        }
    }

    @AfterEach
    void close() {
        driver.close();
    }

    JsonNode ack(String id, String event, Object... args) {
        return driver.call(id, 15_000, event, args);
    }

    @Test
    void broadcastsRoomsAcksFetchSocketsAndServerSideEmitSpanTheFleet() {
        // one broadcast from each kind of server reaches every client once
        driver.emit("a0", "everyone", Map.of("from", "host-a"));
        driver.emit("b1", "everyone", Map.of("from", "host-b"));
        driver.emit("n0", "everyone", Map.of("from", "node"));
        for (String id : clients) {
            await().atMost(Duration.ofSeconds(10)).until(() -> driver.received(id, "everyone") == 3);
        }
        // a room with members on the three servers: a broadcast to it goes to its channel (dynamic subscriptions)
        for (String id : List.of("a1", "b0", "n1")) {
            ack(id, "join", "mixed");
        }
        driver.emit("n0", "to-room-all", Map.of("room", "mixed", "text", "from node"));
        driver.emit("a0", "to-room-all", Map.of("room", "mixed", "text", "from quarkus"));
        for (String id : List.of("a1", "b0", "n1")) {
            await().atMost(Duration.ofSeconds(10)).until(() -> driver.received(id, "room-message") == 2);
        }
        // the Node server subscribed to the room's own channel, and so did the Quarkus worker holding a member
        assertThat(shardSubscribers("socket.io#/#mixed#")).isGreaterThanOrEqualTo(2);
        // and nothing reached the others
        for (String id : List.of("a0", "b1", "n0")) {
            assertThat(driver.received(id, "room-message")).as(id).isZero();
        }
        // fetchSockets from both sides sees the three members
        List<String> expected = new ArrayList<>();
        for (String id : List.of("a1", "b0", "n1")) {
            expected.add(driver.events(id, "connect").get(0).get("sid").asText());
        }
        assertThat(texts(ack("b1", "fetch", "mixed").get(0))).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(texts(ack("n0", "fetch", "mixed").get(0))).containsExactlyInAnyOrderElementsOf(expected);
        // five servers, as each side counts them
        assertThat(ack("a0", "servers").get(0).asInt()).isEqualTo(5);
        assertThat(ack("n0", "servers").get(0).asInt()).isEqualTo(5);
        // serverSideEmit with acknowledgements: the four others answer, from either side
        assertThat(ack("a1", "ping-servers").get(0)).hasSize(4);
        JsonNode fromNode = ack("n1", "ping-servers").get(0);
        assertThat(fromNode).hasSize(4);
        assertThat(fromNode.toString()).contains("host-a").contains("host-b");
        // emitWithAck to a room's clients on every server
        JsonNode answers = ack("b0", "ask-room", "mixed", 10_000).get(0);
        assertThat(texts(answers)).as(answers.toString()).containsExactlyInAnyOrder("from a1", "from b0", "from n1");
    }

    @Test
    void theFleetGoesOnWhenTheMasterOfTheMainChannelIsKilledUnderABroadcastStream() {
        int count = 600;
        for (String id : clients) {
            ack(id, "join", "stream");
        }
        String ref = "stream-" + System.nanoTime();
        // a broadcast every 20 ms from a Quarkus worker of host A: 12 s, long enough to outlast the failover
        driver.emitWithAck("a0", ref, 120_000, "stream", "S", count, 20, "stream");
        await().atMost(Duration.ofSeconds(20)).until(() -> tracked("b0") >= 50 && tracked("n0") >= 50);
        int master = redis.masterPortForSlotOf(MAIN_CHANNEL);
        redis.killMaster(master);
        // readiness follows the outage: Redis unreachable from host B's workers, then back
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                .until(() -> hostB.status("/q/health/ready") == 503);
        redis.awaitFailover(master);
        ClusterProcess.awaitReadiness(Duration.ofSeconds(30), hostB);
        driver.awaitAck("a0", ref);
        // the stream's last broadcasts, sent after the failover, reached every client of every server, once each
        for (String id : clients) {
            await().atMost(Duration.ofSeconds(15)).alias(id + " gets the stream's end: " + driver.report(id) + " "
                    + driver.events(id, "connect") + " " + driver.events(id, "disconnect"))
                    .until(() -> last(id) == count - 1);
            JsonNode r = driver.report(id).path("origins").path("S");
            assertThat(r.path("duplicates").asInt()).as(id + ": " + r).isZero();
            assertThat(r.path("count").asInt()).as(id + ": " + r).isGreaterThan(50);
        }
        // what each client got of the stream (the rest was published while the bus was down: dropped and counted)
        StringBuilder got = new StringBuilder();
        for (String id : clients) {
            got.append(id).append('=').append(tracked(id)).append(' ');
        }
        System.out.println("RedisClusterIT: of " + count + " broadcasts, got " + got);
        // and the fleet works as before: one more broadcast from the Node server reaches everyone
        driver.emit("n1", "everyone", Map.of("from", "node after failover"));
        for (String id : clients) {
            await().atMost(Duration.ofSeconds(10)).until(() -> driver.received(id, "everyone") == 1);
        }
        assertThat(ack("b1", "servers").get(0).asInt()).isEqualTo(5);
    }

    /**
     * Connection state recovery on the Redis Cluster: two more hosts (one process each, their own key, so a fleet of
     * their own) log broadcasts in a stream on the shard of the namespace's channel; a client whose connection drops
     * three times in the middle of a stream comes back each time on the other host, recovered, and gets every
     * broadcast once, in order.
     */
    @Test
    void aClientRecoversOnEitherHostFromTheLogOnTheShardOfItsNamespace() {
        Map<String, String> recovery = Map.of("quarkus.socketio.bus", "redis", "quarkus.socketio.redis.mode", "cluster",
                "quarkus.socketio.redis.url", redis.seeds(), "quarkus.socketio.redis.key", "rec",
                "quarkus.socketio.connection-state-recovery.enabled", "true");
        try (ClusterProcess hostC = ClusterProcess.startSingle(JAR, with(recovery, "host-c"), "rc-recovery-c");
                ClusterProcess hostD = ClusterProcess.startSingle(JAR, with(recovery, "host-d"), "rc-recovery-d")) {
            await().atMost(Duration.ofSeconds(20)).until(() -> shardSubscribers("rec#/#") == 2);
            driver.connectTracking("t", hostC.url(), Map.of("transports", List.of("websocket")), "n");
            String sid = driver.await("t", "connect").get("sid").asText();
            ack("t", "join", "r");
            driver.connect("p", hostD.url(), Map.of("transports", List.of("websocket")));
            driver.awaitEmit("p", "welcome");
            int count = 1500;
            String ref = "stream-" + System.nanoTime();
            driver.emitWithAck("p", ref, 120_000, "stream", "S", count, 5, "r");
            List<String> where = Moves.recoverAcross(driver, "t", sid, List.of(hostD.url(), hostC.url(), hostD.url()));
            assertThat(where).satisfiesExactly(w -> assertThat(w).startsWith("host-d/"),
                    w -> assertThat(w).startsWith("host-c/"), w -> assertThat(w).startsWith("host-d/"));
            driver.awaitAck("p", ref);
            Moves.assertWholeStream(driver, "t", count);
            // the log is on the master of the namespace's channel
            String length = redis.command(redis.masterPortForSlotOf("rec#/#"), "XLEN", "{rec#/#}-log");
            assertThat(Integer.parseInt(length.trim())).isGreaterThanOrEqualTo(count);
        }
    }

    static Map<String, String> with(Map<String, String> base, String nodeId) {
        Map<String, String> all = new java.util.HashMap<>(base);
        all.put("quarkus.socketio.cluster.node-id", nodeId);
        return all;
    }

    /** A mode that does not match what Redis is, or seeds none of which answers, fail startup naming the key. */
    @Test
    void misconfigurationFailsStartupNamingTheKey() throws Exception {
        try (RedisServer single = RedisServer.start("not-a-cluster")) {
            assertRefused(Map.of("quarkus.socketio.bus", "redis", "quarkus.socketio.redis.mode", "cluster",
                    "quarkus.socketio.redis.url", single.url()), "rc-cluster-on-single",
                    "is not a Redis Cluster (it has cluster support disabled): set quarkus.socketio.redis.mode=standalone");
        }
        assertRefused(Map.of("quarkus.socketio.bus", "redis", "quarkus.socketio.redis.url",
                "redis://127.0.0.1:" + redis.masterPorts().get(0)), "rc-single-on-cluster",
                "is a node of a Redis Cluster: set quarkus.socketio.redis.mode=cluster");
        int nobody1 = ClusterProcess.freePort();
        int nobody2 = ClusterProcess.freePort();
        assertRefused(Map.of("quarkus.socketio.bus", "redis", "quarkus.socketio.redis.mode", "cluster",
                "quarkus.socketio.redis.url", "redis://127.0.0.1:" + nobody1 + ",redis://127.0.0.1:" + nobody2),
                "rc-no-seed", "none of the Redis Cluster nodes in quarkus.socketio.redis.url answers");
    }

    static void assertRefused(Map<String, String> properties, String name, String message) throws Exception {
        try (ClusterProcess p = ClusterProcess.launch(JAR, 0, properties, name)) {
            assertThat(p.process().waitFor(60, TimeUnit.SECONDS)).as(name + " exits").isTrue();
            assertThat(p.process().exitValue()).as(name).isNotZero();
            assertThat(p.logText()).as(name).contains(message);
        }
    }

    int tracked(String id) {
        return driver.report(id).path("origins").path("S").path("count").asInt();
    }

    int last(String id) {
        return driver.report(id).path("origins").path("S").path("last").asInt(-1);
    }

    static List<String> texts(JsonNode array) {
        List<String> list = new ArrayList<>();
        array.forEach(n -> list.add(n.asText()));
        return list;
    }
}
