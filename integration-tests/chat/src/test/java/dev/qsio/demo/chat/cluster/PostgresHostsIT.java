package dev.qsio.demo.chat.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.qsio.it.support.ClientDriver;
import dev.qsio.it.support.ClusterProcess;
import dev.qsio.it.support.NodeRedisServer;
import dev.qsio.it.support.PostgresServer;

/**
 * The chat demo on PostgreSQL ({@code quarkus.socketio.bus=postgres} and the datasource's properties, as the README
 * says): two packaged hosts of 2 workers and a Node socket.io server with {@code @socket.io/postgres-adapter} 0.5 on
 * one PostgreSQL, and the official Node client on each of the three. The demo's contract holds across all of them:
 * chat relayed to every other client exactly once and acknowledged, rooms, and the HTTP broadcast; messages too large
 * for a notification go through the attachments table both ways.
 */
class PostgresHostsIT {

    static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar");
    static PostgresServer postgres;
    static ClusterProcess hostA;
    static ClusterProcess hostB;
    static NodeRedisServer node;
    ClientDriver driver;
    /** Client id to the server it is connected to: "host-a", "host-b" or "node". */
    final Map<String, String> clients = new LinkedHashMap<>();

    static Map<String, String> host(String nodeId) {
        Map<String, String> p = new HashMap<>(postgres.datasource());
        p.put("quarkus.socketio.bus", "postgres");
        p.put("quarkus.socketio.cluster.node-id", nodeId);
        return p;
    }

    @BeforeAll
    static void start() {
        postgres = PostgresServer.start("hosts");
        hostA = ClusterProcess.launch(JAR, 2, host("host-a"), "pg-host-a");
        hostB = ClusterProcess.launch(JAR, 2, host("host-b"), "pg-host-b");
        node = NodeRedisServer.startPostgresChat("postgresql://postgres@127.0.0.1:" + postgres.port() + "/postgres");
        hostA.awaitReady(2);
        hostB.awaitReady(2);
        // each worker sees the 4 workers on the bus (the Node server is not on it)
        for (ClusterProcess host : List.of(hostA, hostB)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> host.workers().stream()
                    .allMatch(w -> w.path("stats").path("postgres").path("members").asInt() == 4));
        }
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
        if (hostA != null) {
            hostA.close();
        }
        if (hostB != null) {
            hostB.close();
        }
        postgres.close();
    }

    @BeforeEach
    void clients() {
        driver = ClientDriver.start();
        Map<String, String> urls = Map.of("host-a", hostA.url(), "host-b", hostB.url(), "node", node.url());
        for (String server : List.of("host-a", "host-b", "node")) {
            for (int i = 0; i < 2; i++) {
                String id = server + "-" + i;
                // one polling then upgrading (the default), one WebSocket only
                Map<String, Object> opts = i == 0 ? Map.of("reconnection", false)
                        : Map.of("reconnection", false, "transports", List.of("websocket"));
                driver.connect(id, urls.get(server), opts);
                clients.put(id, server);
            }
        }
        for (String id : clients.keySet()) {
            JsonNode hello = driver.awaitEmit(id, "hello").get("args").get(0);
            assertThat(hello.get("node").asText()).as(id).isEqualTo(clients.get(id));
        }
        // the Node server counts itself and the 4 workers by their heartbeats in the main namespace
        await().atMost(Duration.ofSeconds(30)).until(() -> driver.call("node-0", 15_000, "servers").get(0).asInt() == 5);
    }

    @AfterEach
    void closeDriver() {
        driver.close();
    }

    List<String> chats(String id) {
        return driver.events(e -> id.equals(e.path("id").asText()) && "chat".equals(e.path("name").asText())).stream()
                .map(e -> e.get("args").get(0).get("text").asText()).toList();
    }

    @Test
    void chatRoomsAndAcknowledgementsAcrossQuarkusAndNode() {
        for (String id : clients.keySet()) {
            JsonNode ack = driver.call(id, 15_000, "chat", "hello from " + id).get(0);
            assertThat(ack.get("ok").asBoolean()).as(id).isTrue();
            int worker = ack.get("worker").asInt();
            if ("node".equals(clients.get(id))) {
                assertThat(worker).as(id + " was relayed by the Node server").isEqualTo(99);
            } else {
                assertThat(worker).as(id + " was relayed by a worker").isIn(1, 2);
            }
        }
        for (String id : clients.keySet()) {
            await().atMost(Duration.ofSeconds(20)).alias(id + " receives every other client's message")
                    .until(() -> chats(id).size() >= clients.size() - 1);
        }
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(3))
                .until(() -> clients.keySet().stream().mapToInt(id -> chats(id).size()).max().orElse(0),
                        max -> max == clients.size() - 1);
        for (String id : clients.keySet()) {
            assertThat(chats(id)).as(id).doesNotContain("hello from " + id).doesNotHaveDuplicates();
        }

        // a room with a member on each of the three servers; the senders are not in it
        List<String> members = List.of("host-a-0", "host-b-1", "node-0");
        for (String id : members) {
            assertThat(driver.call(id, 15_000, "join", "pg-room").get(0).get("ok").asBoolean()).isTrue();
        }
        driver.emit("host-b-0", "room", Map.of("room", "pg-room", "text", "room from quarkus"));
        driver.emit("node-1", "room", Map.of("room", "pg-room", "text", "room from node"));
        for (String id : members) {
            await().atMost(Duration.ofSeconds(20)).alias(id + " in the room").until(() -> chats(id)
                    .containsAll(List.of("room from quarkus", "room from node")));
        }
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(3)).until(() -> clients.keySet().stream()
                .filter(id -> !members.contains(id))
                .anyMatch(id -> chats(id).stream().anyMatch(t -> t.startsWith("room from"))), any -> !any);

        // the meters of the PostgreSQL bus, per worker: listening, the four workers seen, notifications published
        String metrics = hostA.text("/q/metrics");
        assertThat(metrics).contains("socketio_postgres_up{worker=\"1\"} 1.0", "socketio_postgres_up{worker=\"2\"} 1.0",
                "socketio_postgres_members{worker=\"1\"} 4.0", "socketio_postgres_notifications_total{worker=\"1\"}",
                "socketio_postgres_transactions_total{worker=\"1\"}");
    }

    @Test
    void theHttpBroadcastOfEachServerReachesEveryClient() throws Exception {
        // HTTP/1.1 without an h2c upgrade offer: Node's server hands requests with an Upgrade header to socket.io
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        Map<String, String> urls = Map.of("host-a", hostA.url(), "host-b", hostB.url(), "node", node.url());
        for (Map.Entry<String, String> server : urls.entrySet()) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(server.getValue() + "/api/broadcast"))
                    .header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"event\":\"news\",\"data\":{\"from\":\""
                            + server.getKey() + "\"}}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(server.getKey()).isEqualTo(202);
        }
        for (String id : clients.keySet()) {
            await().atMost(Duration.ofSeconds(20)).alias(id + " gets the broadcast of each server")
                    .until(() -> driver.received(id, "news") >= 3);
        }
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(3))
                .until(() -> clients.keySet().stream().mapToLong(id -> driver.received(id, "news")).max().orElse(0),
                        max -> max == 3);
        for (String id : clients.keySet()) {
            List<String> from = driver.events(e -> id.equals(e.path("id").asText()) && "news".equals(e.path("name").asText()))
                    .stream().map(e -> e.get("args").get(0).get("from").asText()).sorted().toList();
            assertThat(from).as(id).containsExactly("host-a", "host-b", "node");
        }
    }

    @Test
    void messagesTooLargeForANotificationGoThroughTheAttachmentsTableBothWays() {
        long before = Long.parseLong(postgres.sql("SELECT count(*) FROM socket_io_attachments").strip());
        String fromQuarkus = "q".repeat(12_000);
        String fromNode = "n".repeat(12_000);
        driver.emit("host-a-1", "chat", fromQuarkus);
        driver.emit("node-1", "chat", fromNode);
        for (String id : clients.keySet()) {
            List<String> expected = new ArrayList<>();
            if (!id.equals("host-a-1")) {
                expected.add(fromQuarkus);
            }
            if (!id.equals("node-1")) {
                expected.add(fromNode);
            }
            await().atMost(Duration.ofSeconds(20)).alias(id).until(() -> chats(id).containsAll(expected));
        }
        // one row each: Node's adapter and this server wrote them, each read by the others
        long after = Long.parseLong(postgres.sql("SELECT count(*) FROM socket_io_attachments").strip());
        assertThat(after - before).isEqualTo(2);
    }
}
