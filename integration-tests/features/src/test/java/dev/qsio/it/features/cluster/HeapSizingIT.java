package dev.qsio.it.features.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.qsio.it.support.ClusterProcess;

/**
 * How the heap gives memory back ({@code quarkus.socketio.heap.*}): every process of a host, the primary and each
 * worker it starts, sets the JVM's heap-free ratios and G1's periodic collection at startup, read back from each
 * running process with {@code jcmd VM.flags} (the flags the JVM holds, with their values); a flag given on the command
 * line, and the settings, are heeded; {@code enabled=false} leaves the JVM alone.
 */
class HeapSizingIT {

    @Test
    void thePrimaryAndEachWorkerGiveTheirHeapBackByDefault() {
        try (ClusterProcess cluster = ClusterProcess.launch(ClusterApiIT.JAR, 2, Map.of(), "heap-sizing",
                ClusterProcess.freePort(), List.of("-XX:+UseG1GC"))) {
            cluster.awaitReady(2);
            List<Long> pids = new ArrayList<>(List.of(cluster.pid()));
            cluster.workers().forEach(w -> pids.add(w.path("pid").asLong()));
            assertThat(pids).hasSize(3).doesNotContain(0L);
            for (long pid : pids) {
                assertThat(flags(pid)).as("process %d", pid)
                        .contains("-XX:MaxHeapFreeRatio=20 ", "-XX:MinHeapFreeRatio=10 ", "-XX:G1PeriodicGCInterval=60000 ");
            }
        }
    }

    @Test
    void aFlagOnTheCommandLineAndTheSettingsAreHeeded() {
        try (ClusterProcess single = ClusterProcess.startSingle(ClusterApiIT.JAR, Map.of(
                "quarkus.socketio.heap.min-free-percent", "5", "quarkus.socketio.heap.periodic-collection", "0"),
                "heap-sizing-user", List.of("-XX:+UseG1GC", "-XX:MaxHeapFreeRatio=50"))) {
            assertThat(flags(single.pid())).contains("-XX:MaxHeapFreeRatio=50 ", "-XX:MinHeapFreeRatio=5 ")
                    .doesNotContain("G1PeriodicGCInterval");
        }
    }

    @Test
    void offLeavesTheJvmsOwnSizing() {
        try (ClusterProcess single = ClusterProcess.startSingle(ClusterApiIT.JAR,
                Map.of("quarkus.socketio.heap.enabled", "false"), "heap-sizing-off", List.of("-XX:+UseG1GC"))) {
            assertThat(flags(single.pid())).doesNotContain("MaxHeapFreeRatio", "MinHeapFreeRatio",
                    "G1PeriodicGCInterval");
        }
    }

    /** The flags a running JVM holds that differ from their defaults, each followed by a space. */
    static String flags(long pid) {
        Path java = Path.of(ProcessHandle.current().info().command().orElseThrow());
        Path jcmd = java.resolveSibling("jcmd");
        try {
            Process p = new ProcessBuilder(jcmd.toString(), String.valueOf(pid), "VM.flags").redirectErrorStream(true)
                    .start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("jcmd ended").isTrue();
            assertThat(p.exitValue()).as("jcmd %d VM.flags: %s", pid, out).isZero();
            return out.replaceAll("\\s+", " ") + " ";
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + jcmd, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
