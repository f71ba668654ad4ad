package dev.qsio.campaign;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.SerializationFeature;

import dev.qsio.it.support.ClientDriver;
import dev.qsio.it.support.ClusterProcess;

/**
 * What connection state recovery on the local bus costs the primary, which keeps the host's sessions and broadcast
 * log: one host of 2 workers, 20 WebSocket receivers (official Node clients) in a room, and bursts of numbered
 * broadcasts to it (emitted by a worker, each logged in the primary before it relays it). Measured with recovery on
 * and, for the primary's relaying alone, off: the primary's CPU per broadcast ({@code /proc}) and its live heap per
 * logged broadcast ({@code jcmd GC.class_histogram}, which collects first), before and after the bursts.
 */
public final class RecoveryCost {

    static final int RECEIVERS = 20;
    static final int BURSTS = 10;
    static final int PER_BURST = 5000;

    private RecoveryCost() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> a = CampaignMain.arguments(args);
        Path module = Path.of(a.getOrDefault("module", ".")).toAbsolutePath().normalize();
        Path out = Path.of(a.getOrDefault("out", module.resolve("target/recovery-cost").toString()));
        Files.createDirectories(out);
        Path jar = module.resolve("../features/target/quarkus-app/quarkus-run.jar").normalize();
        Map<String, Object> results = new LinkedHashMap<>();
        for (boolean recovery : List.of(true, false)) {
            results.put(recovery ? "recovery" : "no-recovery", measure(jar, recovery));
        }
        Clients.JSON.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.resolve("results.json").toFile(),
                results);
        System.out.println(Clients.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(results));
    }

    static Map<String, Object> measure(Path jar, boolean recovery) throws Exception {
        Map<String, String> props = Map.of("quarkus.socketio.connection-state-recovery.enabled", String.valueOf(recovery),
                "quarkus.socketio.ping-interval", "25s", "quarkus.socketio.ping-timeout", "20s");
        try (ClusterProcess cluster = ClusterProcess.start(jar, 2, props, "recovery-cost-" + recovery);
                ClientDriver driver = ClientDriver.start()) {
            List<String> receivers = new ArrayList<>();
            for (int i = 0; i < RECEIVERS; i++) {
                String id = "r" + i;
                driver.connectTracking(id, cluster.url(), Map.of("transports", List.of("websocket")), "n");
                driver.await(id, "connect");
                driver.call(id, 30_000, "join", "r");
                receivers.add(id);
            }
            driver.connect("p", cluster.url(), Map.of("transports", List.of("websocket")));
            driver.await("p", "connect");
            // warm-up: the JIT compiles the path in the primary and the workers
            bursts(driver, receivers, "W", 5);
            long heapBefore = liveHeap(cluster.pid());
            long ticksBefore = Overload.ticks(cluster.pid());
            long start = System.nanoTime();
            bursts(driver, receivers, "B", BURSTS);
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            long ticks = Overload.ticks(cluster.pid()) - ticksBefore;
            long heapAfter = liveHeap(cluster.pid());
            int n = BURSTS * PER_BURST;
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("broadcasts", n);
            m.put("seconds", ms / 1000.0);
            m.put("broadcastsPerSecond", Math.round(n * 1000.0 / ms));
            m.put("primaryCpuSeconds", ticks / 100.0);
            m.put("primaryCpuMicrosPerBroadcast", Math.round(ticks * 10_000_000.0 / n) / 1000.0);
            m.put("primaryLiveHeapBefore", heapBefore);
            m.put("primaryLiveHeapAfter", heapAfter);
            m.put("primaryLiveHeapBytesPerBroadcast", Math.round((heapAfter - heapBefore) * 10.0 / n) / 10.0);
            m.put("primaryRssKb", Overload.rssKb(cluster.pid()));
            return m;
        }
    }

    /** Bursts of numbered broadcasts to room r, each origin {@code prefix<i>}; returns once every receiver has all. */
    static void bursts(ClientDriver driver, List<String> receivers, String prefix, int count) throws InterruptedException {
        for (int b = 0; b < count; b++) {
            driver.call("p", 120_000, "burst", prefix + b, PER_BURST, "r");
        }
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        for (String r : receivers) {
            while (true) {
                var origins = driver.report(r).path("origins");
                boolean all = true;
                for (int b = 0; b < count; b++) {
                    all &= origins.path(prefix + b).path("count").asInt() >= PER_BURST;
                }
                if (all) {
                    break;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(r + " did not get every broadcast: " + origins);
                }
                // the runner's own wait (no Awaitility outside the tests)
                Thread.sleep(200);
            }
        }
    }

    private static final Pattern TOTAL = Pattern.compile("^Total\\s+(\\d+)\\s+(\\d+)", Pattern.MULTILINE);

    /** The live heap of a JVM in bytes: {@code jcmd GC.class_histogram} collects, then counts what is reachable. */
    static long liveHeap(long pid) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("jcmd", String.valueOf(pid), "GC.class_histogram").redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(60, TimeUnit.SECONDS);
        Matcher m = TOTAL.matcher(text);
        if (!m.find()) {
            throw new IllegalStateException("no total in the class histogram of " + pid + ": " + text);
        }
        return Long.parseLong(m.group(2));
    }
}
