package dev.qsio.it.emitter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.qsio.it.support.ClusterProcess;
import dev.qsio.it.support.NodeRedisServer;
import dev.qsio.it.support.PostgresServer;

/**
 * Emitters on PostgreSQL: two hosts of the chat demo (1 worker each, {@code quarkus.socketio.bus=postgres}) and a Node
 * server with {@code @socket.io/postgres-adapter} 0.5, reached by this module's application, which serves no sockets,
 * through its {@code SocketIoEmitter} ({@code quarkus.socketio.emitter.bus=postgres}): to all, to a room, except a
 * room, binary values (through the attachments table), socketsJoin, socketsLeave, disconnectSockets, serverSideEmit.
 * Node's {@code @socket.io/postgres-emitter} 0.1.1 reaches the Quarkus servers, which take the namespace of its
 * messages from their channel, and not Node's adapter, which drops them (they name no namespace).
 */
class PostgresEmittersIT {

    static PostgresServer postgres;
    static ClusterProcess hostA;
    static ClusterProcess hostB;
    static NodeRedisServer node;
    static ClusterProcess emitterApp;
    EmitterFleet fleet;

    static Map<String, String> host(String nodeId) {
        Map<String, String> p = new HashMap<>(postgres.datasource());
        p.put("quarkus.socketio.bus", "postgres");
        p.put("quarkus.socketio.cluster.node-id", nodeId);
        return p;
    }

    static String nodeUrl() {
        return "postgresql://postgres@127.0.0.1:" + postgres.port() + "/postgres";
    }

    @BeforeAll
    static void start() {
        postgres = PostgresServer.start("emitters");
        hostA = ClusterProcess.launch(EmitterFleet.CHAT, 1, host("host-a"), "pg-emitters-host-a");
        hostB = ClusterProcess.launch(EmitterFleet.CHAT, 1, host("host-b"), "pg-emitters-host-b");
        node = NodeRedisServer.startPostgres(nodeUrl());
        Map<String, String> emitter = new HashMap<>(postgres.datasource());
        emitter.put("quarkus.socketio.emitter.bus", "postgres");
        emitterApp = ClusterProcess.startSingle(EmitterFleet.EMITTER, emitter, "pg-emitter-app");
        hostA.awaitReady(1);
        hostB.awaitReady(1);
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
        postgres.close();
    }

    @BeforeEach
    void clients() {
        Map<String, String> urls = new LinkedHashMap<>();
        urls.put("a", hostA.url());
        urls.put("b", hostB.url());
        urls.put("n", node.url());
        fleet = EmitterFleet.connect(urls);
        // the Node server counts the two workers by their heartbeats: the fleet is formed
        await().atMost(Duration.ofSeconds(30)).until(() -> fleet.driver.call("n", 15_000, "servers").get(0).asInt() == 3);
        fleet.join("a", "r1");
        fleet.join("n", "r1");
        fleet.join("b", "r2");
    }

    @AfterEach
    void closeClients() {
        fleet.close();
    }

    /**
     * The decision about Node's postgres emitter 0.1.1: its messages carry no {@code nsp}, by which Node's adapter 0.5
     * routes (it drops them); this server takes the namespace from the channel, which names it.
     */
    @Test
    void nodesPostgresEmitterReachesTheQuarkusServersOnly() {
        EmitterFleet.nodeEmit("postgres", nodeUrl(), "[{\"op\":\"emit\",\"event\":\"from-node-emitter\",\"args\":[1]},"
                + "{\"op\":\"emit\",\"rooms\":[\"r1\"],\"event\":\"room-from-node-emitter\",\"args\":[]}]");
        fleet.awaitOnlyAndOnce("from-node-emitter", List.of("a", "b"));
        fleet.awaitOnlyAndOnce("room-from-node-emitter", List.of("a"));
        EmitterFleet.nodeEmit("postgres", nodeUrl(), "[{\"op\":\"socketsJoin\",\"rooms\":[\"r2\"],\"target\":[\"vip\"]}]");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            EmitterFleet.javaEmit(emitterApp, "{\"op\":\"emit\",\"rooms\":[\"vip\"],\"event\":\"vip\",\"args\":[]}");
            assertThat(fleet.got("b", "vip")).isNotEmpty();
        });
        assertThat(fleet.got("a", "vip")).isEmpty();
        assertThat(fleet.got("n", "vip")).isEmpty();
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
