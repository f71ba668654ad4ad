package dev.qsio.it.features.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.qsio.it.support.ClientDriver;
import dev.qsio.it.support.ClusterProcess;
import dev.qsio.it.support.RedisSentinel;

/**
 * Two hosts on a Redis managed by Redis Sentinel ({@code quarkus.socketio.redis.mode=sentinel}, the URL listing
 * three sentinels): broadcasts and requests cross, the master is killed under a broadcast stream, and once the
 * sentinels have promoted the replica the hosts find it by themselves and the stream crosses again.
 */
class RedisSentinelIT {

    static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar");

    @Test
    void twoHostsFollowTheMasterTheSentinelsName() {
        try (RedisSentinel redis = RedisSentinel.start("fleet");
                ClusterProcess hostA = ClusterProcess.launch(JAR, 0, host("host-a", redis), "sentinel-host-a");
                ClusterProcess hostB = ClusterProcess.launch(JAR, 0, host("host-b", redis), "sentinel-host-b");
                ClientDriver driver = ClientDriver.start()) {
            ClusterProcess.awaitReadiness(Duration.ofSeconds(30), hostA, hostB);
            await().atMost(Duration.ofSeconds(10)).until(() -> redis.master().subscribers("socket.io-request#/#") == 2);
            for (String id : List.of("a", "b")) {
                driver.connectTracking(id, (id.equals("a") ? hostA : hostB).url(), Map.of("transports",
                        List.of(id.equals("a") ? "websocket" : "polling")), "n");
                driver.awaitEmit(id, "welcome");
                driver.call(id, 15_000, "join", "stream");
            }
            assertThat(driver.call("b", 15_000, "ping-servers").get(0)).hasSize(1);
            int count = 400;
            String ref = "stream-" + System.nanoTime();
            // one broadcast per 20 ms from host A: 8 s, through the failover
            driver.emitWithAck("a", ref, 120_000, "stream", "S", count, 20, "stream");
            await().atMost(Duration.ofSeconds(20)).until(() -> tracked(driver, "b") >= 30);
            redis.killMaster();
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                    .until(() -> hostB.status("/q/health/ready") == 503);
            redis.awaitFailover();
            ClusterProcess.awaitReadiness(Duration.ofSeconds(20), hostA, hostB);
            driver.awaitAck("a", ref);
            // the stream's end, sent after the failover, crossed to host B; nothing twice, nothing out of order
            await().atMost(Duration.ofSeconds(15)).alias("b gets the stream's end: " + driver.report("b"))
                    .until(() -> last(driver, "b") == count - 1);
            JsonNode r = driver.report("b").path("origins").path("S");
            assertThat(r.path("duplicates").asInt()).as(r.toString()).isZero();
            assertThat(tracked(driver, "a")).isEqualTo(count);
            System.out.println("RedisSentinelIT: of " + count + " broadcasts, host B's client got " + tracked(driver, "b"));
            // and requests reach the other host again
            assertThat(driver.call("b", 15_000, "ping-servers").get(0)).hasSize(1);
            // both clients stayed connected throughout
            assertThat(driver.events("a", "disconnect")).isEmpty();
            assertThat(driver.events("b", "disconnect")).isEmpty();
        }
    }

    static Map<String, String> host(String node, RedisSentinel redis) {
        return Map.of("quarkus.socketio.bus", "redis", "quarkus.socketio.redis.mode", "sentinel",
                "quarkus.socketio.redis.url", redis.sentinelUrls(), "quarkus.socketio.redis.master-name",
                RedisSentinel.MASTER_NAME, "quarkus.socketio.cluster.node-id", node);
    }

    static int tracked(ClientDriver driver, String id) {
        return driver.report(id).path("origins").path("S").path("count").asInt();
    }

    static int last(ClientDriver driver, String id) {
        return driver.report(id).path("origins").path("S").path("last").asInt(-1);
    }
}
