package dev.qsio.demo.chat.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
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
import dev.qsio.it.support.RedisServer;

/**
 * Redis stopped for a few seconds and started again under two hosts: the readiness checks say so in between, each
 * host keeps serving its own clients, what was broadcast during the outage does not reach the other host (as
 * documented), and the cluster comes back without any restart or client reconnection. The same for a Redis that
 * stops answering with its connections open.
 */
class RedisOutageIT {

    static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar");
    static RedisServer redis;
    static ClusterProcess hostA;
    static ClusterProcess hostB;
    ClientDriver driver;

    static Map<String, String> host(String node) {
        return Map.of("quarkus.socketio.bus", "redis", "quarkus.socketio.redis.url", redis.url(),
                "quarkus.socketio.redis.reconnect-delay-max", "1s", "quarkus.socketio.cluster.node-id", node,
                "quarkus.socketio.cluster.min-ready-workers", "1");
    }

    @BeforeAll
    static void start() {
        redis = RedisServer.start("outage");
        hostA = ClusterProcess.launch(JAR, 1, host("host-a"), "outage-a");
        hostB = ClusterProcess.launch(JAR, 1, host("host-b"), "outage-b");
        hostA.awaitReady(1);
        hostB.awaitReady(1);
        await().atMost(Duration.ofSeconds(10)).until(() -> redis.subscribers("socket.io-request#/#") == 2);
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

    List<String> chats(String id) {
        return driver.events(e -> id.equals(e.path("id").asText()) && "chat".equals(e.path("name").asText())).stream()
                .map(e -> e.get("args").get(0).get("text").asText()).toList();
    }

    @Test
    void anOutageIsReportedLocalDeliveryGoesOnAndTheClusterRecoversWithoutRestarts() {
        driver.connect("a1", hostA.url(), Map.of("transports", List.of("websocket")));
        driver.connect("a2", hostA.url(), Map.of("transports", List.of("polling")));
        driver.connect("b1", hostB.url(), Map.of("transports", List.of("websocket")));
        for (String id : List.of("a1", "a2", "b1")) {
            driver.awaitEmit(id, "hello");
        }
        long pidA = hostA.worker(1).get("pid").asLong();
        long pidB = hostB.worker(1).get("pid").asLong();
        driver.emit("a1", "chat", "before");
        await().atMost(Duration.ofSeconds(10)).until(() -> chats("b1").contains("before") && chats("a2").contains("before"));

        long stoppedAt = System.nanoTime();
        redis.stop();
        for (ClusterProcess host : List.of(hostA, hostB)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> host.status("/q/health/ready") == 503);
            assertThat(host.text("/q/health/ready")).contains("Redis unreachable");
        }
        ClusterIT.report("Redis stopped: both hosts not ready after "
                + (System.nanoTime() - stoppedAt) / 1_000_000 + " ms");
        // each host still serves its own clients
        driver.emit("a1", "chat", "during");
        await().atMost(Duration.ofSeconds(10)).until(() -> chats("a2").contains("during"));

        long restartedAt = System.nanoTime();
        redis.startAgain();
        for (ClusterProcess host : List.of(hostA, hostB)) {
            ClusterProcess.awaitReadiness(Duration.ofSeconds(15), host);
        }
        ClusterIT.report("Redis back: both hosts ready again after " + (System.nanoTime() - restartedAt) / 1_000_000 + " ms");
        await().atMost(Duration.ofSeconds(10)).until(() -> redis.subscribers("socket.io-request#/#") == 2);
        driver.emit("b1", "chat", "after");
        await().atMost(Duration.ofSeconds(10)).until(() -> chats("a1").contains("after") && chats("a2").contains("after"));

        // what was broadcast while Redis was away did not reach the other host, and was counted as dropped
        assertThat(chats("b1")).containsExactly("before");
        JsonNode stats = hostA.worker(1).get("stats").get("redis");
        assertThat(stats.get("up").asBoolean()).isTrue();
        assertThat(stats.get("outages").asLong()).isGreaterThanOrEqualTo(1);
        assertThat(stats.get("dropped").asLong()).isGreaterThanOrEqualTo(1);
        // no process was restarted and no client reconnected
        assertThat(hostA.worker(1).get("pid").asLong()).isEqualTo(pidA);
        assertThat(hostB.worker(1).get("pid").asLong()).isEqualTo(pidB);
        assertThat(driver.events(e -> "disconnect".equals(e.path("event").asText()))).isEmpty();
        // the primary's meters read the workers' figures from their last heartbeat, through a cache at most half a
        // second old: awaited, since a scrape right after the reconnection may still show Redis down
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(hostA.text("/q/metrics"))
                .contains("socketio_redis_up{worker=\"1\"} 1.0", "socketio_redis_outages_total{worker=\"1\"}"));
    }

    /**
     * A Redis that stops answering with its connections open (SIGSTOP: a frozen VM, or a network that drops everything
     * silently) closes nothing, so only the servers' own heartbeats, which no longer come back, can tell: both hosts
     * go not ready, drop the connections and try again, and are back once Redis answers.
     */
    @Test
    void aRedisThatStopsAnsweringIsNoticedAndTheClusterRecovers() {
        driver.connect("a1", hostA.url(), Map.of("transports", List.of("websocket")));
        driver.connect("b1", hostB.url(), Map.of("transports", List.of("websocket")));
        driver.connect("b2", hostB.url(), Map.of("transports", List.of("polling")));
        for (String id : List.of("a1", "b1", "b2")) {
            driver.awaitEmit(id, "hello");
        }
        driver.emit("a1", "chat", "before pause");
        await().atMost(Duration.ofSeconds(10)).until(() -> chats("b1").contains("before pause"));

        long pausedAt = System.nanoTime();
        redis.pause();
        try {
            for (ClusterProcess host : List.of(hostA, hostB)) {
                // the heartbeat timeout (5 s) and a tick; the bound is what would be a bug (never noticed)
                await().atMost(Duration.ofSeconds(30)).until(() -> host.status("/q/health/ready") == 503);
                assertThat(host.text("/q/health/ready")).contains("Redis unreachable");
            }
            ClusterIT.report("Redis paused (SIGSTOP): both hosts not ready after "
                    + (System.nanoTime() - pausedAt) / 1_000_000 + " ms");
            for (ClusterProcess host : List.of(hostA, hostB)) {
                assertThat(host.logText()).contains("this server's own heartbeats did not come back");
            }
            // each host still serves its own clients
            driver.emit("b1", "chat", "during pause");
            await().atMost(Duration.ofSeconds(10)).until(() -> chats("b2").contains("during pause"));
        } finally {
            redis.resume();
        }
        long resumedAt = System.nanoTime();
        for (ClusterProcess host : List.of(hostA, hostB)) {
            ClusterProcess.awaitReadiness(Duration.ofSeconds(30), host);
        }
        ClusterIT.report("Redis resumed: both hosts ready again after " + (System.nanoTime() - resumedAt) / 1_000_000
                + " ms");
        await().atMost(Duration.ofSeconds(10)).until(() -> redis.subscribers("socket.io-request#/#") == 2);
        driver.emit("b1", "chat", "after pause");
        await().atMost(Duration.ofSeconds(10)).until(() -> chats("a1").contains("after pause"));
        assertThat(chats("a1")).doesNotContain("during pause");
        assertThat(driver.events(e -> "disconnect".equals(e.path("event").asText()))).isEmpty();
    }
}
