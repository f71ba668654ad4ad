package dev.qsio.it.features.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.qsio.it.support.ClientDriver;
import dev.qsio.it.support.ClusterProcess;
import dev.qsio.it.support.NodeRedisServer;
import dev.qsio.it.support.RedisServer;

/**
 * {@code quarkus.socketio.parser=msgpack} with {@code socket.io-client} 4.8 and {@code socket.io-msgpack-parser}
 * 3.0: every transport mix, acknowledgements, binary values, namespaces and their errors, broadcasts on one
 * process, across two workers (relayed as packets on the cluster bus) and across hosts on Redis with a Node
 * server that uses the same parser.
 */
class MsgpackParserIT {

    static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar");
    static final Map<String, String> MSGPACK = Map.of("quarkus.socketio.parser", "msgpack");
    static final List<List<String>> TRANSPORTS = List.of(List.of("polling"), List.of("websocket"),
            List.of("polling", "websocket"));

    static Map<String, Object> options(List<String> transports) {
        Map<String, Object> o = new HashMap<>();
        o.put("transports", transports);
        o.put("parser", "msgpack");
        return o;
    }

    @Test
    void oneProcess() {
        try (ClusterProcess server = ClusterProcess.startSingle(JAR, MSGPACK, "msgpack-single");
                ClientDriver driver = ClientDriver.start()) {
            List<String> clients = connectAll(driver, List.of(server.url()), "c");
            talk(driver, clients);
            namespaces(driver, server.url());
            broadcast(driver, clients, clients.get(0));
            // a client with the default parser cannot speak to it: its connection ends, the others go on
            driver.connect("text", server.url(), Map.of("transports", List.of("websocket"), "reconnection", false));
            driver.await("text", "disconnect");
            assertThat(driver.call(clients.get(1), 10_000, "upper", "still").get(0).asText()).isEqualTo("STILL");
        }
    }

    @Test
    void twoWorkers() {
        try (ClusterProcess cluster = ClusterProcess.launch(JAR, 2, MSGPACK, "msgpack-cluster");
                ClientDriver driver = ClientDriver.start()) {
            cluster.awaitReady(2);
            // enough clients that both workers have some of every transport
            List<String> clients = new ArrayList<>();
            for (int round = 0; round < 3; round++) {
                clients.addAll(connectAll(driver, List.of(cluster.url()), "c" + round + "-"));
            }
            assertThat(clients.stream().map(c -> driver.call(c, 10_000, "whoami").get(0).asText()).distinct())
                    .as("workers that clients reached").hasSize(2);
            talk(driver, clients);
            broadcast(driver, clients, clients.get(0));
            broadcast(driver, clients, clients.get(clients.size() - 1));
        }
    }

    @Test
    void hostsOnRedisWithANodeServer() {
        try (RedisServer redis = RedisServer.start("msgpack");
                ClusterProcess quarkus = ClusterProcess.launch(JAR, 2, withRedis(redis), "msgpack-host");
                NodeRedisServer node = NodeRedisServer.start(redis.url(), "msgpack");
                ClientDriver driver = ClientDriver.start()) {
            quarkus.awaitReady(2);
            await().atMost(Duration.ofSeconds(10)).until(() -> redis.subscribers("socket.io-request#/#") == 3);
            List<String> onQuarkus = connectAll(driver, List.of(quarkus.url()), "q");
            List<String> onNode = connectAll(driver, List.of(node.url()), "n");
            assertThat(driver.call(onNode.get(0), 10_000, "where").get(0).asText()).isEqualTo("node");
            for (String n : onNode) {
                assertThat(driver.call(n, 10_000, "upper", "node").get(0).asText()).isEqualTo("NODE");
                JsonNode reversed = driver.call(n, 10_000, "reverse", ClientDriver.bin(new byte[] { 1, 2, 3 })).get(0);
                assertThat(ClientDriver.unbin(reversed)).containsExactly(3, 2, 1);
            }
            List<String> all = new ArrayList<>(onQuarkus);
            all.addAll(onNode);
            broadcast(driver, all, onQuarkus.get(0));
            broadcast(driver, all, onNode.get(0));
        }
    }

    static Map<String, String> withRedis(RedisServer redis) {
        Map<String, String> p = new HashMap<>(MultiHostIT.hostProperties("msgpack-host", redis));
        p.putAll(MSGPACK);
        return p;
    }

    /** One client per transport mix on each server; returns their ids once connected. */
    static List<String> connectAll(ClientDriver driver, List<String> urls, String prefix) {
        List<String> ids = new ArrayList<>();
        for (String url : urls) {
            for (List<String> transports : TRANSPORTS) {
                String id = prefix + ids.size() + "-" + String.join("+", transports);
                driver.connect(id, url, options(transports));
                ids.add(id);
            }
        }
        for (String id : ids) {
            driver.await(id, "connect");
        }
        return ids;
    }

    /** Acknowledgements with text, records and binary, from every client. */
    static void talk(ClientDriver driver, List<String> clients) {
        for (String c : clients) {
            assertThat(driver.call(c, 10_000, "upper", "héllo " + c).get(0).asText()).isEqualTo(("héllo " + c).toUpperCase());
            JsonNode receipt = driver.call(c, 10_000, "record", Map.of("text", "msgpack", "tags", List.of("a", "b")))
                    .get(0);
            assertThat(receipt.path("length").asInt()).isEqualTo(7);
            byte[] data = new byte[300];
            for (int i = 0; i < data.length; i++) {
                data[i] = (byte) i;
            }
            byte[] back = ClientDriver.unbin(driver.call(c, 10_000, "reverse", ClientDriver.bin(data)).get(0));
            assertThat(back).hasSize(300);
            for (int i = 0; i < data.length; i++) {
                assertThat(back[i]).isEqualTo(data[data.length - 1 - i]);
            }
            assertThat(driver.call(c, 10_000, "sum", 40, 2).get(0).path("total").asInt()).isEqualTo(42);
        }
    }

    /** A namespace behind middleware: admitted with the right auth, a readable connect_error without. */
    static void namespaces(ClientDriver driver, String url) {
        Map<String, Object> admin = options(List.of("websocket"));
        admin.put("auth", Map.of("role", "admin"));
        driver.connect("admin", url + "/admin", admin);
        assertThat(driver.awaitEmit("admin", "welcome").path("args").get(0).asText()).isEqualTo("admin");
        assertThat(driver.call("admin", 10_000, "whoami").get(0).asText()).isEqualTo("/admin");
        Map<String, Object> intruder = options(List.of("polling"));
        intruder.put("auth", Map.of("role", "guest"));
        driver.connect("intruder", url + "/admin", intruder);
        assertThat(driver.await("intruder", "connect_error").path("message").asText()).isEqualTo("admins only");
    }

    /** A broadcast with a binary value from one client reaches every client once, byte for byte. */
    static void broadcast(ClientDriver driver, List<String> clients, String from) {
        String marker = "from " + from;
        driver.emit(from, "everyone", Map.of("text", marker, "blob", ClientDriver.bin(new byte[] { 9, 8, 7 })));
        for (String c : clients) {
            JsonNode got = driver.await(e -> c.equals(e.path("id").asText()) && "event".equals(e.path("event").asText())
                    && "everyone".equals(e.path("name").asText())
                    && marker.equals(e.path("args").get(0).path("text").asText()));
            assertThat(ClientDriver.unbin(got.path("args").get(0).path("blob"))).containsExactly(9, 8, 7);
        }
    }
}
