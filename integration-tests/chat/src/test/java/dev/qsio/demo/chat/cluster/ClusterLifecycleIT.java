package dev.qsio.demo.chat.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.qsio.demo.chat.ChatBrowserTest;
import dev.qsio.it.support.ClusterProcess;

/**
 * How a cluster starts and ends: a worker crashing too often is given up on, no worker outlives a killed primary,
 * SIGTERM stops everything cleanly, and two browser pages on different workers chat.
 */
class ClusterLifecycleIT {

    static final Path JAR = ClusterIT.JAR;

    @Test
    void aWorkerThatCrashesTooOftenIsMarkedFailed() {
        try (ClusterProcess cluster = ClusterProcess.start(JAR, 2, Map.of(
                "quarkus.socketio.cluster.restart-delay", "100ms",
                "quarkus.socketio.cluster.respawn-threshold", "2",
                "quarkus.socketio.cluster.respawn-threshold-time", "60s"), "threshold")) {
            for (int crash = 1; crash <= 3; crash++) {
                long pid = cluster.worker(2).path("pid").asLong();
                ClusterProcess.signal(pid, "KILL");
                if (crash < 3) {
                    await().atMost(Duration.ofSeconds(30)).until(() -> {
                        JsonNode w = cluster.worker(2);
                        return w.path("ready").asBoolean() && w.path("pid").asLong() != pid;
                    });
                }
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> "failed".equals(cluster.worker(2).path("state").asText()));
            assertThat(cluster.worker(2).path("restarts").asInt()).isEqualTo(2);
            assertThat(cluster.worker(1).path("ready").asBoolean()).isTrue();
            assertThat(cluster.logText()).contains("will not be restarted").contains("respawn-threshold=2");
        }
    }

    @Test
    void noWorkerOutlivesAKilledPrimary() {
        ClusterProcess cluster = ClusterProcess.start(JAR, 2, Map.of(), "primary-kill");
        try {
            List<ProcessHandle> workers = cluster.processesStarted().stream()
                    .filter(h -> h.info().commandLine().orElse("").contains("quarkus-run.jar")).toList();
            assertThat(workers).hasSize(2);
            long killedAt = System.nanoTime();
            ClusterProcess.signal(cluster.pid(), "KILL");
            await().atMost(Duration.ofSeconds(10)).until(() -> workers.stream().noneMatch(ProcessHandle::isAlive));
            ClusterIT.report("primary SIGKILL: both workers gone after " + (System.nanoTime() - killedAt) / 1_000_000
                    + " ms");
        } finally {
            cluster.close();
        }
    }

    @Test
    void sigtermStopsTheWorkersAndExitsWithZero() throws Exception {
        ClusterProcess cluster = ClusterProcess.start(JAR, 2, Map.of("quarkus.socketio.cluster.shutdown-timeout", "10s"),
                "sigterm");
        try {
            List<ProcessHandle> workers = cluster.processesStarted();
            long start = System.nanoTime();
            ClusterProcess.signal(cluster.pid(), "TERM");
            assertThat(cluster.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(cluster.process().exitValue()).isZero();
            assertThat(workers).noneMatch(ProcessHandle::isAlive);
            ClusterIT.report("SIGTERM: cluster stopped in " + (System.nanoTime() - start) / 1_000_000 + " ms, exit code 0");
            assertThat(cluster.logText()).contains("All workers stopped");
        } finally {
            cluster.close();
        }
    }

    @Test
    void twoBrowserPagesOnDifferentWorkersChat() throws Exception {
        try (ClusterProcess cluster = ClusterProcess.start(JAR, 2, Map.of(), "browser")) {
            JsonNode result = ChatBrowserTest.runBrowser(cluster.url() + "/", Path.of("target/screenshots/cluster").toAbsolutePath(), true);
            assertThat(result.get("ok").asBoolean()).as(result.toString()).isTrue();
            assertThat(result.get("workers").get(0).asText()).isNotEqualTo(result.get("workers").get(1).asText());
            assertThat(result.get("received").asText()).contains("hello from page one");
        }
    }

    @Test
    void primaryAndWorkerMemory() {
        try (ClusterProcess cluster = ClusterProcess.start(JAR, 2, Map.of(), "rss")) {
            long primary = rssKb(cluster.pid());
            long worker = rssKb(cluster.worker(1).path("pid").asLong());
            assertThat(primary).isPositive();
            assertThat(worker).isPositive();
            ClusterIT.report("RSS after start: primary " + primary / 1024 + " MB, worker " + worker / 1024 + " MB");
        }
    }

    static long rssKb(long pid) {
        try {
            for (String line : java.nio.file.Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (java.io.IOException e) {
            return -1;
        }
        return -1;
    }
}
