package dev.qsio.it.features.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.qsio.it.support.ClientDriver;
import dev.qsio.it.support.ClusterProcess;

/**
 * A namespace's own lag rule ({@code slow-consumer.namespace."/workspace-1".max-lag} 2 s, {@code .lag-bytes} 100 KB)
 * with official Node clients of default options on two workers: two clients in the room of a stream of 1,000 events
 * of 20 KB (20 MB, more than the kernel's buffers of a loopback connection take), both stopped (SIGSTOP of their
 * process) before it. The one that also joined {@code /workspace-1} is held to that namespace's rule and closed
 * (reason {@code slow consumer}, counted in {@code slowConsumersLagged}); the one of the main namespace alone, behind
 * by as much and for three times as long, is held to the process's rule (60 s) and is not. Once they run again, the
 * first reconnects and the second gets every event in order.
 */
class NamespaceLagIT {

    static final int EVENTS = 1000;
    static final int SIZE = 20_000;
    static final String STRICT = "/workspace-1";

    @Test
    void aClientOfTheStrictNamespaceIsClosedAndOneOfTheMainNamespaceIsNot() throws Exception {
        Map<String, String> props = new HashMap<>(ClusterProcess.DEFAULT_HEARTBEAT);
        props.put("quarkus.socketio.slow-consumer.namespace.\"" + STRICT + "\".max-lag", "2s");
        props.put("quarkus.socketio.slow-consumer.namespace.\"" + STRICT + "\".lag-bytes", "100000");
        props.put("quarkus.socketio.slow-consumer.check-interval", "100ms");
        // neither the per-session bound nor the memory rule may close them: only the lag rules are under test
        props.put("quarkus.socketio.max-buffered-bytes", "500000000");
        props.put("quarkus.socketio.slow-consumer.max-total-bytes", "500000000");
        try (ClusterProcess cluster = ClusterProcess.start(UnreadClientIT.JAR, 2, props, "namespace-lag");
                ClientDriver strict = ClientDriver.start();
                ClientDriver loose = ClientDriver.start();
                ClientDriver driver = ClientDriver.start()) {
            // the strict client's two sockets share one connection (the official client multiplexes a host's namespaces)
            strict.connectTracking("strict", cluster.url(), Map.of(), "n");
            strict.await("strict", "connect");
            strict.call("strict", 15_000, "join", "big");
            strict.connect("strict-ws", cluster.url() + STRICT, Map.of());
            JsonNode ws = strict.await("strict-ws", "connect");
            assertThat(ws.path("engine").asText()).as("one connection for both namespaces")
                    .isEqualTo(strict.events("strict", "connect").get(0).path("engine").asText());
            loose.connectTracking("loose", cluster.url(), Map.of(), "n");
            loose.await("loose", "connect");
            loose.call("loose", 15_000, "join", "big");
            driver.connect("publisher", cluster.url(), Map.of("transports", List.of("websocket")));
            driver.await("publisher", "connect");
            long lagged = sum(cluster, "slowConsumersLagged");

            strict.signal("STOP");
            loose.signal("STOP");
            try {
                driver.call("publisher", 120_000, "heavy-stream", "P", EVENTS, 2, "big", SIZE);
                long streamed = System.nanoTime();
                // the workers report their figures with their heartbeat
                await().atMost(Duration.ofSeconds(30)).alias("the strict namespace's client closed by its rule")
                        .until(() -> sum(cluster, "slowConsumersLagged") - lagged >= 1);
                // the main namespace's client stays behind three times the strict rule: its rule (60 s) lets it be
                await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                        .until(() -> System.nanoTime() - streamed > Duration.ofSeconds(6).toNanos());
                assertThat(sum(cluster, "slowConsumersLagged") - lagged).as("sessions closed by a lag rule").isEqualTo(1);
            } finally {
                strict.signal("CONT");
                loose.signal("CONT");
            }

            await().atMost(Duration.ofSeconds(30)).alias("both sockets of the strict client lost their connection")
                    .until(() -> !strict.events("strict", "disconnect").isEmpty()
                            && !strict.events("strict-ws", "disconnect").isEmpty());
            await().atMost(Duration.ofSeconds(30)).alias("the strict client reconnected")
                    .until(() -> strict.events("strict", "connect").size() >= 2);
            await().atMost(Duration.ofSeconds(60)).alias("the main namespace's client got the whole stream")
                    .until(() -> loose.report("loose").path("origins").path("P").path("distinct").asInt() >= EVENTS
                            || !loose.events("loose", "disconnect").isEmpty());
            JsonNode p = loose.report("loose").path("origins").path("P");
            String what = "the main namespace's client: " + p.toString() + ", disconnects " + loose.events("loose", "disconnect");
            assertThat(loose.events("loose", "disconnect")).as(what).isEmpty();
            assertThat(p.path("distinct").asInt()).as(what).isEqualTo(EVENTS);
            assertThat(p.path("outOfOrder").asInt() + p.path("duplicates").asInt()).as(what).isZero();
            assertThat(sum(cluster, "bufferOverflows") + sum(cluster, "slowConsumersShed"))
                    .as("sessions closed by the per-session bound or the memory rule").isZero();
            UnreadClientIT.report("namespace lag rule: of two official clients stopped during " + EVENTS + " x "
                    + SIZE / 1000 + " KB, the one in " + STRICT + " (max-lag 2 s) was closed, the one of / alone (60 s) "
                    + "was not and got every event in order");
        }
    }

    private static long sum(ClusterProcess cluster, String figure) {
        return cluster.workers().stream().mapToLong(w -> w.path("stats").path("engine").path(figure).asLong()).sum();
    }
}
