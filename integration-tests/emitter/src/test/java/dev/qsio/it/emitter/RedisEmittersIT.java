package dev.qsio.it.emitter;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

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

    @Test
    void nodesRedisEmitterReachesQuarkusAndNodeServers() {
        fleet.theOperationsReachEveryServer(op -> EmitterFleet.nodeEmit("redis", redis.url(), "[" + op + "]"), "node");
    }

    @Test
    void theJavaEmitterOfAnApplicationWithoutSocketsReachesQuarkusAndNodeServers() {
        fleet.theOperationsReachEveryServer(op -> EmitterFleet.javaEmit(emitterApp, op), "java");
    }

    @Test
    void theJavaEmittersBinaryValuesAndServerSideEmits() {
        fleet.binaryValuesAndServerSideEmits(emitterApp, hostA, hostB);
    }
}
