package dev.qsio.it.features.cluster;

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

/**
 * Faults under load, with 200 clients spread over two workers: a worker killed during a stream of numbered
 * broadcasts, a rolling restart while clients send acknowledged messages, and a whole cluster killed and started
 * again.
 */
class FaultsUnderLoadIT {

    static Map<Integer, List<String>> connect(ClientDriver driver, ClusterProcess cluster, int n, boolean track) {
        Map<Integer, List<String>> byWorker = new HashMap<>();
        for (int i = 0; i < n; i++) {
            String id = "c" + i;
            Map<String, Object> opts = new HashMap<>();
            if (i % 2 == 0) {
                opts.put("transports", List.of("websocket"));
            }
            opts.put("reconnectionDelay", 100);
            opts.put("reconnectionDelayMax", 500);
            if (track) {
                driver.connectTracking(id, cluster.url(), opts, "n");
            } else {
                driver.connect(id, cluster.url(), opts);
            }
        }
        for (int i = 0; i < n; i++) {
            String id = "c" + i;
            driver.await(id, "connect");
            int worker = ClusterApiIT.ack(driver, id, "whoami").get(0).asInt();
            byWorker.computeIfAbsent(worker, w -> new ArrayList<>()).add(id);
        }
        return byWorker;
    }

    /**
     * The test application's short heartbeat (2 s) would end a session whose client a busy machine starves for two
     * seconds; these tests are about what a fault does to the others, so they keep the server's default.
     */
    static Map<String, String> withDefaultHeartbeat(Map<String, String> properties) {
        Map<String, String> all = new HashMap<>(properties);
        all.putAll(ClusterProcess.DEFAULT_HEARTBEAT);
        return all;
    }

    static void report(String line) {
        System.out.println("[fault-report] " + line);
    }

    static boolean websocketOnly(String id) {
        return Integer.parseInt(id.substring(1)) % 2 == 0;
    }

    @Test
    void aWorkerKilledDuringAStreamOfBroadcasts() {
        try (ClusterProcess cluster = ClusterProcess.start(ClusterApiIT.JAR, 2, withDefaultHeartbeat(Map.of(
                "quarkus.socketio.cluster.restart-delay", "300ms")), "stream-kill");
                ClientDriver driver = ClientDriver.start()) {
            Map<Integer, List<String>> byWorker = connect(driver, cluster, 200, true);
            assertThat(byWorker).containsKeys(1, 2);
            for (List<String> ids : byWorker.values()) {
                for (String id : ids) {
                    ClusterApiIT.ack(driver, id, "join", "stream");
                }
            }
            String publisher = byWorker.get(1).stream().filter(FaultsUnderLoadIT::websocketOnly).findFirst().orElseThrow();
            int count = 1500;
            driver.emitWithAck(publisher, "stream", 120_000, "stream", "P", count, 5, "stream");
            // kill worker 2 once the stream runs
            await().atMost(Duration.ofSeconds(20)).until(() -> driver.report(publisher).path("origins").path("P").path("count")
                    .asInt() > 200);
            long killedAt = System.nanoTime();
            ClusterProcess.signal(cluster.worker(2).path("pid").asLong(), "KILL");
            for (String id : byWorker.get(2)) {
                driver.await(id, "disconnect");
            }
            for (String id : byWorker.get(2)) {
                await().atMost(Duration.ofSeconds(30)).until(() -> driver.events(id, "connect").size() >= 2);
            }
            long reconnectMs = (System.nanoTime() - killedAt) / 1_000_000;
            driver.awaitAck(publisher, "stream");

            int intact = 0;
            for (String id : byWorker.get(1)) {
                if (!websocketOnly(id)) {
                    continue;
                }
                assertThat(driver.events(id, "disconnect")).as(id + " (worker 1, WebSocket)").isEmpty();
                JsonNode p = driver.report(id).path("origins").path("P");
                assertThat(p.path("count").asInt()).as(id).isEqualTo(count);
                assertThat(p.path("outOfOrder").asInt()).as(id).isZero();
                assertThat(p.path("duplicates").asInt()).as(id).isZero();
                intact++;
            }
            report("SIGKILL of worker 2 during 1,500 broadcasts: " + intact
                    + " WebSocket clients of worker 1 saw every message in order, no disconnect; the "
                    + byWorker.get(2).size() + " clients of worker 2 all reconnected within " + reconnectMs + " ms");
        }
    }

    @Test
    void rollingRestartWhileClientsSendAcknowledgedMessages() {
        try (ClusterProcess cluster = ClusterProcess.start(ClusterApiIT.JAR, 2, withDefaultHeartbeat(Map.of(
                "quarkus.socketio.cluster.control.enabled", "true",
                "quarkus.socketio.cluster.control.token", "t")), "roll-acks");
                ClientDriver driver = ClientDriver.start()) {
            Map<Integer, List<String>> byWorker = connect(driver, cluster, 200, false);
            List<String> all = byWorker.values().stream().flatMap(List::stream).toList();
            List<Long> before = cluster.workers().stream().map(w -> w.path("pid").asLong()).toList();
            assertThat(cluster.management("POST", "/q/socketio/cluster/rolling-restart", "t").statusCode()).isEqualTo(202);
            int[] sent = { 0 };
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(50)).until(() -> {
                String id = all.get(sent[0] % all.size());
                driver.emitWithAck(id, "m" + sent[0], 30_000, "upper", "m" + sent[0]);
                sent[0]++;
                return cluster.workers().stream().allMatch(w -> w.path("ready").asBoolean()
                        && !before.contains(w.path("pid").asLong()));
            });
            // a message whose worker drained before answering is reported to the client as not acknowledged
            // ("socket has been disconnected"); the client sends it again, as an application does, and it is answered
            int retried = 0;
            for (int i = 0; i < sent[0]; i++) {
                String id = all.get(i % all.size());
                JsonNode ack = driver.awaitAck(id, "m" + i);
                if (ack.has("error")) {
                    assertThat(ack.get("error").asText()).as("m" + i).isEqualTo("socket has been disconnected");
                    retried++;
                    driver.emitWithAck(id, "retry-m" + i, 30_000, "upper", "m" + i);
                    ack = driver.awaitAck(id, "retry-m" + i);
                }
                assertThat(ack.has("error")).as("message m" + i + " of " + id + ": " + ack).isFalse();
                assertThat(ack.get("args").get(0).asText()).isEqualTo("M" + i);
            }
            for (String id : all) {
                assertThat(driver.events(id, "connect_error")).as("failed handshakes of " + id).isEmpty();
                // each client moved once: new sessions went to the workers already replaced, not to one that drained next
                assertThat(driver.events(id, "disconnect")).as("disconnects of " + id).hasSize(1);
            }
            report("rolling restart with 200 clients: " + sent[0] + " messages sent meanwhile, " + retried
                    + " reported not acknowledged when their worker drained and acknowledged when sent again, none lost; "
                    + "0 failed handshakes, each client moved once");
        }
    }

    @Test
    void aKilledClusterStartedAgainGetsEveryClientBack() {
        int port = ClusterProcess.freePort();
        ClusterProcess first = ClusterProcess.start(ClusterApiIT.JAR, 2, ClusterProcess.DEFAULT_HEARTBEAT, "restart-1", port);
        try (ClientDriver driver = ClientDriver.start()) {
            Map<Integer, List<String>> byWorker = connect(driver, first, 100, false);
            List<String> all = byWorker.values().stream().flatMap(List::stream).toList();
            List<ProcessHandle> workers = first.processesStarted();
            ClusterProcess.signal(first.pid(), "KILL");
            await().atMost(Duration.ofSeconds(10)).until(() -> workers.stream().noneMatch(ProcessHandle::isAlive));
            for (String id : all) {
                driver.await(id, "disconnect");
            }
            try (ClusterProcess second = ClusterProcess.start(ClusterApiIT.JAR, 2, ClusterProcess.DEFAULT_HEARTBEAT, "restart-2",
                    port)) {
                for (String id : all) {
                    await().atMost(Duration.ofSeconds(60)).until(() -> driver.events(id, "connect").size() >= 2);
                }
                assertThat(ClusterApiIT.ack(driver, all.get(0), "servers").get(0).asInt()).isEqualTo(2);
                report("primary SIGKILL: no worker left; the cluster started again on the same port got all "
                        + all.size() + " clients back");
            }
        } finally {
            first.close();
        }
    }
}
