package dev.qsio.demo.chat.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.qsio.it.support.ClientDriver;
import dev.qsio.it.support.ClusterProcess;
import dev.qsio.it.support.Haproxy;
import dev.qsio.it.support.RawHttp;
import dev.qsio.it.support.RedisServer;

/**
 * The chat demo on two hosts (two packaged clusters of 2 workers, {@code quarkus.socketio.bus=redis}) behind a real
 * HAProxy, with the configurations of the documentation unchanged: round robin without stickiness, where default
 * clients (polling, then upgrade) have their requests spread over both hosts, and sticky by the {@code qsio_node}
 * cookie.
 */
class ManyHostsIT {

    static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar");
    static final Path CONFIGS = Path.of("../../docs/modules/ROOT/examples/load-balancers");
    static RedisServer redis;
    static ClusterProcess hostA;
    static ClusterProcess hostB;
    ClientDriver driver;

    static Map<String, String> host(String node) {
        return Map.of("quarkus.socketio.bus", "redis", "quarkus.socketio.redis.url", redis.url(),
                "quarkus.socketio.cluster.node-id", node, "quarkus.socketio.cluster.sticky.enabled", "true");
    }

    @BeforeAll
    static void start() {
        redis = RedisServer.start("many-hosts");
        hostA = ClusterProcess.launch(JAR, 2, host("host-a"), "host-a");
        hostB = ClusterProcess.launch(JAR, 2, host("host-b"), "host-b");
        hostA.awaitReady(2);
        hostB.awaitReady(2);
        await().atMost(Duration.ofSeconds(10)).until(() -> redis.subscribers("socket.io-request#/#") == 4);
    }

    @AfterAll
    static void stop() {
        hostA.close();
        hostB.close();
        redis.close();
    }

    @BeforeEach
    void driver() {
        driver = ClientDriver.start();
    }

    @AfterEach
    void closeDriver() {
        driver.close();
    }

    @Test
    void roundRobinWithoutStickiness50DefaultClientsChatAndReceiveEveryMessage() {
        try (Haproxy proxy = Haproxy.start(CONFIGS.resolve("haproxy-round-robin.cfg"), hostA, hostB, "round-robin")) {
            int n = 50;
            List<String> ids = new ArrayList<>();
            Map<String, Integer> byHost = new TreeMap<>();
            for (int i = 0; i < n; i++) {
                String id = "rr" + i;
                ids.add(id);
                // default options: HTTP long-polling first, then the upgrade to WebSocket
                driver.connect(id, proxy.url(), Map.of("reconnection", false));
            }
            for (String id : ids) {
                JsonNode hello = driver.awaitEmit(id, "hello").get("args").get(0);
                byHost.merge(hello.get("node").asText(), 1, Integer::sum);
            }
            for (String id : ids) {
                assertThat(driver.await(id, "upgrade").get("transport").asText()).isEqualTo("websocket");
            }
            // the handshakes alternated between the hosts, and so did the requests of each polling session
            assertThat(byHost).containsOnlyKeys("host-a", "host-b");
            ClusterIT.report("round robin over two hosts: " + byHost + " sessions by owner; all " + n + " upgraded");
            for (String id : ids) {
                driver.emit(id, "chat", "message from " + id);
            }
            for (String id : ids) {
                await().atMost(Duration.ofSeconds(30)).alias(id + " receives every other client's message")
                        .until(() -> chats(id).size() >= n - 1);
            }
            // and no message arrives twice
            await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(3))
                    .until(() -> ids.stream().mapToInt(id -> chats(id).size()).max().orElse(0), max -> max == n - 1);
            for (String id : ids) {
                List<String> texts = chats(id);
                assertThat(texts).as(id).hasSize(n - 1).doesNotContain("message from " + id).doesNotHaveDuplicates();
            }
            assertThat(driver.events(e -> "disconnect".equals(e.path("event").asText()))).isEmpty();
        }
    }

    @Test
    void stickyByTheNodeCookieKeepsEveryRequestOnItsHost() {
        try (Haproxy proxy = Haproxy.start(CONFIGS.resolve("haproxy-sticky.cfg"), hostA, hostB, "sticky")) {
            for (int i = 0; i < 2; i++) {
                HttpResponse<String> open = RawHttp.get(proxy.url() + "/socket.io/?EIO=4&transport=polling");
                String cookie = open.headers().firstValue("set-cookie").orElseThrow();
                assertThat(cookie).startsWith("qsio_node=host-");
                String node = cookie.substring("qsio_node=".length(), cookie.indexOf(';'));
                String sid = open.body().replaceAll(".*\"sid\":\"([^\"]+)\".*", "$1");
                String query = proxy.url() + "/socket.io/?EIO=4&transport=polling&sid=" + sid;
                String cookieHeader = "qsio_node=" + node;
                assertThat(RawHttp.request("POST", query, "40", "Cookie", cookieHeader).body()).isEqualTo("ok");
                String polled = RawHttp.request("GET", query, null, "Cookie", cookieHeader).body();
                if (!polled.contains("hello")) {
                    polled += RawHttp.request("GET", query, null, "Cookie", cookieHeader).body();
                }
                // the hello event names the host that owns the session: the cookie's host
                assertThat(polled).contains("\"node\":\"" + node + "\"");
                ClusterProcess other = node.equals("host-a") ? hostB : hostA;
                // the counters reach the primary with each heartbeat: read them once they have settled, since the
                // workers of a host forward requests to each other too
                long[] settled = { -1 };
                await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(1200)).until(() -> {
                    long now = forwardedRequests(other);
                    boolean same = now == settled[0];
                    settled[0] = now;
                    return same;
                });
                long otherBefore = settled[0];
                for (int k = 0; k < 5; k++) {
                    assertThat(RawHttp.request("POST", query, "42[\"chat\",\"sticky " + k + "\"]", "Cookie", cookieHeader)
                            .statusCode()).isEqualTo(200);
                }
                // no request of this session reached the other host, which would have forwarded it over Redis
                // (watched for two heartbeats)
                await().during(Duration.ofMillis(2500)).atMost(Duration.ofSeconds(5))
                        .alias("forwarded requests of " + other.url() + " stay at " + otherBefore)
                        .until(() -> forwardedRequests(other), v -> v == otherBefore);
                assertThat(RawHttp.request("POST", query, "1", "Cookie", cookieHeader).body()).isEqualTo("ok");
            }
        }
    }

    /** The polling requests a host's workers forwarded to another server, summed. */
    private static long forwardedRequests(ClusterProcess host) {
        long sum = 0;
        for (JsonNode w : host.workers()) {
            sum += w.path("stats").path("engine").path("forwardedRequests").asLong();
        }
        return sum;
    }

    private List<String> chats(String id) {
        return driver.events(e -> id.equals(e.path("id").asText()) && "chat".equals(e.path("name").asText())).stream()
                .map(e -> e.get("args").get(0).get("text").asText()).toList();
    }
}
