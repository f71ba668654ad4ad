package dev.qsio.it.emitter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.qsio.it.support.ClientDriver;
import dev.qsio.it.support.ClusterProcess;
import dev.qsio.it.support.NodeRedisServer;
import dev.qsio.it.support.RedisServer;

/**
 * Emitters on Redis: two hosts of the chat demo (2 workers each, {@code quarkus.socketio.bus=redis}) and a Node server
 * with {@code @socket.io/redis-adapter}, reached by Node's {@code @socket.io/redis-emitter} 5.1 and by this module's
 * application, which serves no sockets, through its {@code SocketIoEmitter} ({@code quarkus.socketio.emitter.bus=redis}).
 * Both reach clients of every server: to all, to a room, except a room, binary values, socketsJoin, socketsLeave,
 * disconnectSockets, and serverSideEmit to the servers' listeners.
 */
class RedisEmittersIT {

    static RedisServer redis;
    static ClusterProcess hostA;
    static ClusterProcess hostB;
    static NodeRedisServer node;
    static ClusterProcess emitterApp;
    EmitterFleet fleet;

    static Map<String, String> host(String nodeId) {
        return Map.of("quarkus.socketio.bus", "redis", "quarkus.socketio.redis.url", redis.url(),
                "quarkus.socketio.cluster.node-id", nodeId);
    }

    @BeforeAll
    static void start() {
        redis = RedisServer.start("emitters");
        hostA = ClusterProcess.launch(EmitterFleet.CHAT, 2, host("host-a"), "emitters-host-a");
        hostB = ClusterProcess.launch(EmitterFleet.CHAT, 2, host("host-b"), "emitters-host-b");
        node = NodeRedisServer.start(redis.url());
        emitterApp = ClusterProcess.startSingle(EmitterFleet.EMITTER, Map.of("quarkus.socketio.emitter.bus", "redis",
                "quarkus.socketio.redis.url", redis.url()), "emitter-app");
        hostA.awaitReady(2);
        hostB.awaitReady(2);
        // the four workers and the Node server subscribe to the main namespace's requests; the emitter does not
        await().atMost(Duration.ofSeconds(30)).until(() -> redis.subscribers("socket.io-request#/#") == 5);
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[] { emitterApp == null ? null : emitterApp::close,
                node == null ? null : node::close, hostA == null ? null : hostA::close, hostB == null ? null : hostB::close }) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                // the others still stop
            }
        }
        redis.close();
    }

    @BeforeEach
    void clients() {
        Map<String, String> urls = new LinkedHashMap<>();
        urls.put("a", hostA.url());
        urls.put("b", hostB.url());
        urls.put("n", node.url());
        fleet = EmitterFleet.connect(urls);
        fleet.join("a", "r1");
        fleet.join("n", "r1");
        fleet.join("b", "r2");
    }

    @AfterEach
    void closeClients() {
        fleet.close();
    }

    /** The same operations, from one emitter or the other. */
    interface Emit {
        void run(String operationJson);
    }

    void theOperationsReachEveryServer(Emit emit, String tag) {
        emit.run("{\"op\":\"emit\",\"event\":\"all-" + tag + "\",\"args\":[\"to everyone\",1]}");
        fleet.awaitOnlyAndOnce("all-" + tag, List.of("a", "b", "n"));
        assertThat(fleet.got("n", "all-" + tag).get(0).get("args").toString()).isEqualTo("[\"to everyone\",1]");

        emit.run("{\"op\":\"emit\",\"rooms\":[\"r1\"],\"event\":\"room-" + tag + "\",\"args\":[]}");
        fleet.awaitOnlyAndOnce("room-" + tag, List.of("a", "n"));
        emit.run("{\"op\":\"emit\",\"except\":[\"r1\"],\"event\":\"except-" + tag + "\",\"args\":[]}");
        fleet.awaitOnlyAndOnce("except-" + tag, List.of("b"));

        emit.run("{\"op\":\"socketsJoin\",\"rooms\":[\"r2\"],\"target\":[\"joined\"]}");
        emit.run("{\"op\":\"socketsJoin\",\"rooms\":[\"r1\"],\"target\":[\"joined\"]}");
        emit.run("{\"op\":\"socketsLeave\",\"rooms\":[\"r2\"],\"target\":[\"joined\"]}");
        // the operations of one emitter arrive in order: b joined, then left; a and n joined
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            emit.run("{\"op\":\"emit\",\"rooms\":[\"joined\"],\"event\":\"joined-" + tag + "\",\"args\":[]}");
            assertThat(fleet.got("a", "joined-" + tag)).isNotEmpty();
            assertThat(fleet.got("n", "joined-" + tag)).isNotEmpty();
        });
        assertThat(fleet.got("b", "joined-" + tag)).isEmpty();

        emit.run("{\"op\":\"disconnectSockets\",\"rooms\":[\"r1\"],\"close\":false}");
        for (String id : List.of("a", "n")) {
            assertThat(fleet.driver.await(id, "disconnect").get("reason").asText()).isEqualTo("io server disconnect");
        }
        assertThat(fleet.driver.connectedNow("b")).isTrue();
    }

    @Test
    void nodesRedisEmitterReachesQuarkusAndNodeServers() {
        theOperationsReachEveryServer(op -> EmitterFleet.nodeEmit("redis", redis.url(), "[" + op + "]"), "node");
    }

    @Test
    void theJavaEmitterOfAnApplicationWithoutSocketsReachesQuarkusAndNodeServers() {
        theOperationsReachEveryServer(op -> EmitterFleet.javaEmit(emitterApp, op), "java");
    }

    @Test
    void theJavaEmittersBinaryValuesAndServerSideEmits() {
        EmitterFleet.javaEmit(emitterApp, "{\"op\":\"emit\",\"event\":\"bytes\",\"args\":[\"b\"],\"binary\":\"AQID\"}");
        fleet.awaitOnlyAndOnce("bytes", List.of("a", "b", "n"));
        for (String id : List.of("a", "b", "n")) {
            assertThat(ClientDriver.unbin(fleet.got(id, "bytes").get(0).get("args").get(1))).as(id).containsExactly(1, 2, 3);
        }
        long beforeA = EmitterFleet.counted(hostA);
        long beforeB = EmitterFleet.counted(hostB);
        // the chat's @OnBroadcast("chat") counter runs on every worker of both hosts; the Node server keeps "notify"
        EmitterFleet.javaEmit(emitterApp, "{\"op\":\"serverSideEmit\",\"event\":\"chat\",\"args\":[{\"text\":\"s\","
                + "\"from\":\"emitter\",\"worker\":0}]}");
        EmitterFleet.javaEmit(emitterApp, "{\"op\":\"serverSideEmit\",\"event\":\"notify\",\"args\":[\"from java\"]}");
        await().atMost(Duration.ofSeconds(10)).until(() -> EmitterFleet.counted(hostA) == beforeA + 1
                && EmitterFleet.counted(hostB) == beforeB + 1);
        await().atMost(Duration.ofSeconds(10)).until(() -> fleet.driver.call("n", 15_000, "notifications").toString()
                .contains("from java"));
        // a server-side emit reaches no client
        assertThat(fleet.got("a", "chat")).isEmpty();
    }
}
