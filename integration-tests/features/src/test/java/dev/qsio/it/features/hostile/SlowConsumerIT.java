package dev.qsio.it.features.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.qsio.it.support.ClientDriver;
import dev.qsio.it.support.ClusterProcess;
import dev.qsio.it.support.FrameSocket;

/**
 * The slow-consumer rules, below the per-session bound: 20 WebSocket clients that stop reading join a room that
 * receives 300 messages of 50 KB, beside 12 official clients (every transport mix) that read the same stream. With the
 * per-session bound out of reach (500 MB) and {@code -Xmx256m}, the clients that read nothing are closed by the lag
 * rule (3 s behind) or, when together they hold more than a quarter of a worker's heap, the slowest first by the
 * memory rule; the official clients get every message in order and none is disconnected; no worker runs out of
 * memory. A cluster of two workers.
 */
class SlowConsumerIT {

    static final int MESSAGES = 300;
    static final int SIZE = 50_000;
    static final int SLOW = 20;
    /** How far the official clients may fall behind the stream: 0.5 MB, under the 1 MB of lag-bytes. */
    static final int WINDOW = 10;

    @Test
    void clientsThatStopReadingAreClosedAndTheOthersGetEverything() throws Exception {
        Map<String, String> props = new HashMap<>(ClusterProcess.DEFAULT_HEARTBEAT);
        props.put("quarkus.socketio.cluster.worker-jvm-options", "-Xmx256m");
        props.put("quarkus.socketio.max-buffered-bytes", "500000000");
        props.put("quarkus.socketio.slow-consumer.max-lag", "3s");
        props.put("quarkus.socketio.slow-consumer.check-interval", "250ms");
        try (ClusterProcess cluster = ClusterProcess.start(UnreadClientIT.JAR, 2, props, "slow-consumers");
                ClientDriver driver = ClientDriver.start()) {
            List<Long> pids = cluster.workers().stream().map(w -> w.path("pid").asLong()).toList();
            List<FrameSocket> slow = new ArrayList<>();
            for (int i = 0; i < SLOW; i++) {
                slow.add(UnreadClientIT.joinWithoutReading(cluster.port(), "big"));
            }
            List<String> readers = new ArrayList<>();
            List<Map<String, Object>> mixes = List.of(Map.of(), Map.of("transports", List.of("websocket")),
                    Map.of("transports", List.of("polling")));
            for (int i = 0; i < 12; i++) {
                String id = "r" + i;
                readers.add(id);
                driver.connectTracking(id, cluster.url(), mixes.get(i % mixes.size()), "n");
                driver.await(id, "connect");
                driver.call(id, 15_000, "join", "big");
            }
            driver.connect("publisher", cluster.url(), Map.of("transports", List.of("websocket")));
            driver.await("publisher", "connect");

            for (int i = 0; i < MESSAGES; i++) {
                driver.call("publisher", 30_000, "heavy-at", "P", i, "big", SIZE);
                int sent = i + 1;
                // the official clients keep up: none is more than WINDOW messages behind, however busy the machine
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
                        .alias("every reading client within " + WINDOW + " messages of " + sent)
                        .until(() -> readers.stream().allMatch(id -> driver.report(id).path("origins").path("P")
                                .path("count").asInt() >= sent - WINDOW || !driver.events(id, "disconnect").isEmpty()));
                if (i == MESSAGES / 2) {
                    // half way, the clients that read nothing have been behind for seconds: the rules closed them
                    await().atMost(Duration.ofSeconds(30)).alias("the slow clients closed by the rules")
                            .until(() -> closedBySlowConsumerRules(cluster) >= SLOW);
                }
            }
            for (String id : readers) {
                await().atMost(Duration.ofSeconds(60)).until(() -> driver.report(id).path("origins").path("P")
                        .path("count").asInt() >= MESSAGES || !driver.events(id, "disconnect").isEmpty());
                JsonNode p = driver.report(id).path("origins").path("P");
                assertThat(p.path("count").asInt()).as(id + ": " + p + ", disconnects "
                        + driver.events(id, "disconnect")).isEqualTo(MESSAGES);
                assertThat(p.path("outOfOrder").asInt()).as(id).isZero();
                assertThat(driver.events(id, "disconnect")).as(id + " was not disconnected").isEmpty();
            }
            for (FrameSocket s : slow) {
                assertThat(s.closedByServer(Duration.ofSeconds(30))).as("a client that read nothing was closed").isTrue();
            }
            assertThat(closedBySlowConsumerRules(cluster)).isEqualTo(SLOW);
            long overflows = cluster.workers().stream()
                    .mapToLong(w -> w.path("stats").path("engine").path("bufferOverflows").asLong()).sum();
            assertThat(overflows).as("sessions closed by the per-session bound").isZero();
            assertThat(cluster.workers().stream().map(w -> w.path("pid").asLong()).toList())
                    .as("no worker ran out of memory and was replaced").isEqualTo(pids);
            assertThat(cluster.logText()).doesNotContain("OutOfMemoryError");
            UnreadClientIT.report("slow consumers, 2 workers with -Xmx256m: " + SLOW + " clients that read nothing "
                    + "closed (lag " + sum(cluster, "slowConsumersLagged") + ", memory " + sum(cluster, "slowConsumersShed")
                    + "), 12 official clients got " + MESSAGES + " x " + SIZE / 1000 + " KB in order");
        }
    }

    private static long closedBySlowConsumerRules(ClusterProcess cluster) {
        return sum(cluster, "slowConsumersLagged") + sum(cluster, "slowConsumersShed");
    }

    private static long sum(ClusterProcess cluster, String figure) {
        return cluster.workers().stream().mapToLong(w -> w.path("stats").path("engine").path(figure).asLong()).sum();
    }
}
