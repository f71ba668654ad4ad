package dev.qsio.it.features.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.qsio.it.support.ClientDriver;
import dev.qsio.it.support.ClusterProcess;

/**
 * A worker that stops answering without dying (a long GC pause, a stopped or starved process: here SIGSTOP, then
 * SIGCONT), with official Node clients of every transport mix (default options) and a stream of numbered broadcasts
 * from the other worker. A pause the clients tolerate costs nothing: the stalled worker takes no new connections while
 * silent, keeps its sessions, and its clients get every broadcast in order once it resumes. A worker still silent after
 * {@code stall-timeout} is killed and replaced, and only its own clients reconnect.
 */
class WorkerStallIT {

    static final int PER_MIX = 8;
    static final Map<String, Map<String, Object>> MIXES = Map.of(
            "d", Map.of(),
            "w", Map.of("transports", List.of("websocket")),
            "p", Map.of("transports", List.of("polling")));

    static void report(String line) {
        System.out.println("[worker-stall-report] " + line);
    }

    static Map<String, String> props(String stallTimeout) {
        Map<String, String> props = new HashMap<>();
        // the server's default heartbeat: what the clients tolerate of a silent server (45 s)
        props.put("quarkus.socketio.ping-interval", "25s");
        props.put("quarkus.socketio.ping-timeout", "20s");
        props.put("quarkus.socketio.cluster.heartbeat-timeout", "3s");
        props.put("quarkus.socketio.cluster.stall-timeout", stallTimeout);
        return props;
    }

    /** Clients of every mix tracking the numbered broadcasts to room "s", by worker. */
    static Map<Integer, List<String>> clients(ClientDriver driver, ClusterProcess cluster) {
        List<String> ids = new ArrayList<>();
        MIXES.forEach((mix, opts) -> {
            for (int i = 0; i < PER_MIX; i++) {
                String id = mix + i;
                driver.connectTracking(id, cluster.url(), opts, "n");
                ids.add(id);
            }
        });
        Map<Integer, List<String>> byWorker = new HashMap<>();
        for (String id : ids) {
            driver.await(id, "connect");
            if (id.startsWith("d")) {
                driver.await(id, "upgrade");
            }
            ClusterApiIT.ack(driver, id, "join", "s");
            byWorker.computeIfAbsent(ClusterApiIT.ack(driver, id, "whoami").get(0).asInt(), w -> new ArrayList<>()).add(id);
        }
        assertThat(byWorker.keySet()).as("clients on both workers: " + byWorker).containsExactlyInAnyOrder(1, 2);
        return byWorker;
    }

    /** A WebSocket client on worker 1, the one that is never stopped. */
    static String publisherOnWorker1(ClientDriver driver, ClusterProcess cluster) {
        for (int i = 0; i < 40; i++) {
            String p = "pub" + i;
            driver.connect(p, cluster.url(), Map.of("transports", List.of("websocket")));
            driver.await(p, "connect");
            if (ClusterApiIT.ack(driver, p, "whoami").get(0).asInt() == 1) {
                return p;
            }
            driver.disconnect(p);
        }
        throw new AssertionError("no client landed on worker 1 in 40 tries");
    }

    static void signal(long pid, String name) throws Exception {
        Process p = new ProcessBuilder("kill", "-" + name, String.valueOf(pid)).inheritIO().start();
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("kill -" + name + " " + pid).isZero();
    }

    static void assertUndisturbed(ClientDriver driver, List<String> ids, int count) {
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            for (String id : ids) {
                JsonNode s = driver.report(id).path("origins").path("S");
                assertThat(s.path("count").asInt()).as(() -> id + " got " + s + "; its events: "
                        + driver.events(e -> id.equals(e.path("id").asText())
                                && e.path("event").asText().matches("connect|disconnect|connect_error|upgrade_error")))
                        .isEqualTo(count);
            }
        });
        for (String id : ids) {
            JsonNode s = driver.report(id).path("origins").path("S");
            assertThat(s.path("outOfOrder").asInt()).as(id + " out of order").isZero();
            assertThat(s.path("duplicates").asInt()).as(id + " duplicates").isZero();
            assertThat(driver.events(id, "connect")).as(id + " connected once").hasSize(1);
            assertThat(driver.events(id, "disconnect")).as(id + " never disconnected").isEmpty();
        }
    }

    @Test
    void aPauseTheClientsTolerateCostsThemNothing() throws Exception {
        try (ClusterProcess cluster = ClusterProcess.start(ClusterApiIT.JAR, 2, props("45s"), "stall-short");
                ClientDriver driver = ClientDriver.start()) {
            Map<Integer, List<String>> byWorker = clients(driver, cluster);
            String publisher = publisherOnWorker1(driver, cluster);
            long pid = cluster.worker(2).path("pid").asLong();
            int count = 400;
            driver.emitWithAck(publisher, "stream", 600_000, "stream", "S", count, 25, "s");
            await().atMost(Duration.ofSeconds(30)).until(() -> byWorker.get(2).stream()
                    .allMatch(id -> driver.report(id).path("origins").path("S").path("count").asInt() >= 40));

            long stoppedAt = System.nanoTime();
            signal(pid, "STOP");
            try {
                // silent past the heartbeat timeout: out of the readiness, no new connection goes there
                await().atMost(Duration.ofSeconds(20)).alias("worker 2 reported stalled")
                        .until(() -> !cluster.worker(2).path("ready").asBoolean());
                for (String mix : MIXES.keySet()) {
                    String id = "late-" + mix;
                    driver.connect(id, cluster.url(), MIXES.get(mix));
                    driver.await(id, "connect");
                    assertThat(ClusterApiIT.ack(driver, id, "whoami").get(0).asInt()).as(id + " served by worker 1")
                            .isEqualTo(1);
                }
                // a pause of 8 s, well under what the clients tolerate (45 s): the sleep below is the fault's
                // duration (how long the worker stays stopped), not a wait for a condition
                long left = TimeUnit.SECONDS.toNanos(8) - (System.nanoTime() - stoppedAt);
                if (left > 0) {
                    Thread.sleep(TimeUnit.NANOSECONDS.toMillis(left));
                }
            } finally {
                signal(pid, "CONT");
            }
            long pausedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stoppedAt);
            await().atMost(Duration.ofSeconds(20)).alias("worker 2 ready again")
                    .until(() -> cluster.worker(2).path("ready").asBoolean());
            assertThat(cluster.worker(2).path("pid").asLong()).as("the same process").isEqualTo(pid);
            // the stream's end (10 s at its pace, more on a busy machine)
            driver.await(e -> publisher.equals(e.path("id").asText()) && "ack".equals(e.path("event").asText())
                    && "stream".equals(e.path("ref").asText()), Duration.ofSeconds(120));

            List<String> all = new ArrayList<>(byWorker.get(1));
            all.addAll(byWorker.get(2));
            assertUndisturbed(driver, all, count);
            for (String id : byWorker.get(2)) {
                assertThat(ClusterApiIT.ack(driver, id, "whoami").get(0).asInt()).isEqualTo(2);
            }
            assertThat(cluster.logText()).contains("lifecycle event STALLED of worker 2", "lifecycle event RESUMED of worker 2")
                    .doesNotContain("killing it");
            report("worker 2 stopped for " + pausedMs + " ms under a stream of " + count + " broadcasts: its "
                    + byWorker.get(2).size() + " clients and worker 1's " + byWorker.get(1).size()
                    + " got all in order, none disconnected; 3 clients connecting meanwhile went to worker 1");
        }
    }

    @Test
    void aWorkerSilentPastTheStallTimeoutIsReplacedAndOnlyItsClientsReconnect() throws Exception {
        try (ClusterProcess cluster = ClusterProcess.start(ClusterApiIT.JAR, 2, props("10s"), "stall-long");
                ClientDriver driver = ClientDriver.start()) {
            Map<Integer, List<String>> byWorker = clients(driver, cluster);
            long pid = cluster.worker(2).path("pid").asLong();
            long stoppedAt = System.nanoTime();
            signal(pid, "STOP");
            // killed by the primary once silent for the stall timeout, and replaced
            await().atMost(Duration.ofSeconds(60)).alias("worker 2 killed")
                    .until(() -> ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true));
            long killedAfterMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stoppedAt);
            // silence counts from the last heartbeat, up to heartbeat-interval (1 s) before the SIGSTOP: killed at the
            // stall timeout, not at the heartbeat timeout (3 s)
            assertThat(killedAfterMs).as("killed at the stall timeout").isGreaterThanOrEqualTo(8_500);
            cluster.awaitReady(2);
            for (String id : byWorker.get(2)) {
                await().atMost(Duration.ofSeconds(60)).alias(id + " reconnected").until(() -> driver.connectedNow(id)
                        && driver.events(id, "connect").size() >= 2);
            }
            for (String id : byWorker.get(1)) {
                assertThat(driver.events(id, "disconnect")).as(id + " (worker 1) never disconnected").isEmpty();
                assertThat(ClusterApiIT.ack(driver, id, "whoami").get(0).asInt()).isEqualTo(1);
            }
            assertThat(cluster.logText()).contains("lifecycle event STALLED of worker 2", "killing it");
            report("worker 2 stopped for good: killed " + killedAfterMs + " ms after SIGSTOP (stall-timeout 10 s), "
                    + "its " + byWorker.get(2).size() + " clients reconnected, worker 1's " + byWorker.get(1).size()
                    + " undisturbed");
        }
    }

    @Test
    void aStallTimeoutShorterThanTheHeartbeatTimeoutFailsStartupNamingTheKey() throws Exception {
        ClusterProcess cluster = ClusterProcess.launch(ClusterApiIT.JAR, 2, Map.of(
                "quarkus.socketio.cluster.heartbeat-timeout", "5s",
                "quarkus.socketio.cluster.stall-timeout", "2s"), "stall-config");
        try {
            assertThat(cluster.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(cluster.process().exitValue()).isNotZero();
            assertThat(cluster.logText()).contains("quarkus.socketio.cluster.stall-timeout (2000 ms) must be at least "
                    + "quarkus.socketio.cluster.heartbeat-timeout (5000 ms)");
        } finally {
            cluster.close();
        }
    }
}
