package dev.qsio.it.features.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.qsio.it.support.ClientDriver;
import dev.qsio.it.support.ClusterProcess;

/**
 * The warm-up of the connection path in a packaged application: a single process warms by default
 * ({@code quarkus.socketio.warm-up.connections} unset: 4,000 sessions), the workers of a cluster when told to; each
 * opens its sessions on a private server before it listens (a worker: before it is ready), and none of them shows in
 * what the application and its operators see: the engine's figures of each worker (as the primary collects them), the
 * Prometheus metrics (the HTTP server's requests included). The first official client is then the first that each
 * counts.
 */
class WarmUpIT {

    /**
     * The warm-up's bound, raised so that it does all its sessions even on a busy machine (on Java 17 without a cache
     * 4,000 took 6 to 7 s on a quiet one, near the default 10 s), since the tests count them.
     */
    private static final String TIMEOUT = "quarkus.socketio.warm-up.timeout";

    /** The warm-up's setting left to its default (an empty value: unset), where the harness turns it off. */
    private static final Map<String, String> DEFAULT = Map.of(ClusterProcess.WARM_UP, "", TIMEOUT, "60s");

    private static final Pattern WARMED = Pattern.compile("Warmed the connection path with (\\d+) sessions in (\\d+) ms");

    private static final Pattern THROUGH_PRIMARY = Pattern
            .compile("Warmed the connection path with \\d+ sessions in \\d+ ms, through the primary's port \\((\\d+) "
                    + "connections handed over\\)");

    @Test
    void eachWorkerWarmsBeforeItIsReadyAndNoFigureCountsIt() {
        try (ClusterProcess cluster = ClusterProcess.launch(ClusterApiIT.JAR, 2,
                Map.of(ClusterProcess.WARM_UP, "1500", TIMEOUT, "60s"), "warm-up");
                ClientDriver driver = ClientDriver.start()) {
            cluster.awaitReady(2);
            assertThat(warmed(cluster.logText())).as("one warm-up per worker, none in the primary").containsExactly(1500,
                    1500);
            // through the primary's warm-up port: its acceptor handed each worker's connections to it (a WebSocket
            // session takes a connection of its own; polling ones share the client's kept-alive connections)
            List<Integer> handed = sessions(THROUGH_PRIMARY, cluster.logText());
            assertThat(handed).as("each worker's warm-up came through the primary").hasSize(2)
                    .allSatisfy(n -> assertThat(n).isGreaterThanOrEqualTo(400));
            // the figures each worker reports with its heartbeat
            await().atMost(Duration.ofSeconds(20)).until(() -> cluster.workers().stream()
                    .allMatch(w -> w.path("stats").path("engine").has("handshakesAccepted")));
            for (JsonNode w : cluster.workers()) {
                JsonNode engine = w.path("stats").path("engine");
                assertThat(engine.path("handshakesAccepted").asLong()).as("%s", w).isZero();
                assertThat(engine.path("sessions").asLong()).as("%s", w).isZero();
                // the connections handed over for the warm-up are not the application's
                assertThat(engine.path("connectionsReceived").asLong()).as("%s", w).isZero();
            }
            // once the warm-up is over, its port reaches nothing: a request naming a worker there is closed unanswered
            Map<String, String> env = environment(cluster.worker(1).path("pid").asLong());
            int warmUpPort = Integer.parseInt(env.get("QSIO_WARM_UP_PORT"));
            String request = "/socket.io/?EIO=4&transport=polling&qsio-warm-up=" + env.get("QSIO_BUS_SLOT");
            assertThat(answerOf(warmUpPort, request)).as("the warm-up port after the warm-up").isEmpty();
            assertThat(cluster.worker(1).path("stats").path("engine").path("handshakesAccepted").asLong()).isZero();

            driver.connect("first", cluster.url(), Map.of());
            driver.await("first", "connect");
            await().atMost(Duration.ofSeconds(20)).until(() -> cluster.workers().stream()
                    .mapToLong(w -> w.path("stats").path("engine").path("handshakesAccepted").asLong()).sum() == 1);
            // and its connections are the first the workers count as handed over to them
            await().atMost(Duration.ofSeconds(20)).until(() -> cluster.workers().stream()
                    .mapToLong(w -> w.path("stats").path("engine").path("connectionsReceived").asLong()).sum() >= 1);
        }
    }

    /**
     * Unset, the workers a cluster starts with share the default warm-up (4,000 sessions: 2,000 each of two), through
     * the primary; a worker started again after a crash does not warm up (its clients went to the others meanwhile).
     */
    @Test
    void theWorkersAClusterStartsWithShareTheDefaultWarmUpAndARespawnedOneDoesNot() {
        try (ClusterProcess cluster = ClusterProcess.launch(ClusterApiIT.JAR, 2, DEFAULT, "warm-up-default")) {
            cluster.awaitReady(2);
            assertThat(warmed(cluster.logText())).containsExactly(2000, 2000);
            assertThat(sessions(THROUGH_PRIMARY, cluster.logText())).hasSize(2);

            killAndAwaitItsSuccessor(cluster, 1);
            // the primary's start, the two first workers', the respawned one's: a warm-up is logged before its start
            await().atMost(Duration.ofSeconds(20)).alias("the respawned worker's start in the log")
                    .until(() -> cluster.logText().split(" started in ", -1).length - 1 == 4);
            assertThat(warmed(cluster.logText())).as("no warm-up in the respawned worker").hasSize(2);
        }
    }

    @Test
    void aSingleProcessWarmsBeforeItListensAndItsMetricsDoNotShowIt() {
        try (ClusterProcess single = ClusterProcess.startSingle(ClusterApiIT.JAR, DEFAULT, "warm-up-single");
                ClientDriver driver = ClientDriver.start()) {
            assertThat(warmed(single.logText())).containsExactly(4000);
            // what the harness did to see the process answer: one polling handshake; of the warm-up's 4,000, nothing.
            // The engine's meters read its figures at most every half second (SocketIoMeters), so a scrape right after
            // the probe may still show the figures from before it: awaited, and a warm-up counted would never show 1.
            await().atMost(Duration.ofSeconds(20)).until(() -> sample(metrics(single), "socketio_handshakes_total",
                    "outcome=\"accepted\"") == 1);
            assertThat(socketIoRequests(metrics(single))).as("HTTP requests on the Socket.IO path").isEqualTo(1);

            driver.connect("first", single.url(), Map.of("transports", List.of("polling")));
            driver.await("first", "connect");
            await().atMost(Duration.ofSeconds(20)).until(() -> sample(metrics(single), "socketio_handshakes_total",
                    "outcome=\"accepted\"") == 2);
            // the polling client's own requests: a handful, not the thousands of the warm-up
            assertThat(socketIoRequests(metrics(single))).isBetween(2.0, 20.0);
        }
    }

    /**
     * With connection state recovery on, the primary and each worker run sessions through the session store's
     * messages in the background after they start (warm-up.recovery-sessions); a worker that replaces a crashed one
     * does not, while the others take its clients. The exercise leaves nothing in the primary's real store.
     */
    @Test
    void theRecoveryStoreIsWarmedInThePrimaryAndTheWorkersButNotInAReplacement() {
        Map<String, String> props = Map.of("quarkus.socketio.connection-state-recovery.enabled", "true",
                "quarkus.socketio.warm-up.recovery-sessions", "300",
                "quarkus.log.category.\"dev.qsio.runtime.cluster.ClusterBus\".level", "DEBUG");
        try (ClusterProcess cluster = ClusterProcess.launch(ClusterApiIT.JAR, 2, props, "warm-up-recovery")) {
            cluster.awaitReady(2);
            await().atMost(Duration.ofSeconds(60)).alias("the primary and both workers warmed the store")
                    .until(() -> recoveryWarmed(cluster.logText()).size() == 3);
            assertThat(recoveryWarmed(cluster.logText())).as("every session restored through the codec")
                    .containsExactly(300, 300, 300);

            killAndAwaitItsSuccessor(cluster, 1);
            await().atMost(Duration.ofSeconds(20)).alias("the replacement skipped the exercise")
                    .until(() -> cluster.logText().contains("Worker 1 replaces one that crashed"));
            assertThat(recoveryWarmed(cluster.logText())).hasSize(3);

            // the primary's real store holds nothing of the exercises (each logged 301 broadcasts in its scratch
            // store); read after a full collection in the primary, which the recovery meters once did not survive (they
            // held the store's supplier weakly, and read NaN after it)
            fullCollection(cluster.pid());
            String metrics = metrics(cluster);
            assertThat(metrics).contains("socketio_recovery_log_entries");
            assertThat(gauge(metrics, "socketio_recovery_log_entries")).isZero();
            assertThat(gauge(metrics, "socketio_recovery_sessions")).isZero();
        }
    }

    private static final Pattern RECOVERY_WARMED = Pattern
            .compile("Warmed connection state recovery's session store with (\\d+) sessions");

    private static List<Integer> recoveryWarmed(String log) {
        return sessions(RECOVERY_WARMED, log);
    }

    private static List<Integer> warmed(String log) {
        return sessions(WARMED, log);
    }

    /** SIGKILLs worker {@code id}'s process and waits until the primary has started another for it, ready. */
    private static void killAndAwaitItsSuccessor(ClusterProcess cluster, int id) {
        long pid = cluster.worker(id).path("pid").asLong();
        ClusterProcess.signal(pid, "KILL");
        await().atMost(Duration.ofSeconds(60)).alias("worker " + id + " started again and ready")
                .until(() -> cluster.worker(id) != null && cluster.worker(id).path("pid").asLong() != pid
                        && cluster.worker(id).path("ready").asBoolean());
    }

    /** A process's environment, from {@code /proc}. */
    private static Map<String, String> environment(long pid) {
        try {
            Map<String, String> env = new java.util.HashMap<>();
            for (String entry : java.nio.file.Files.readString(Path.of("/proc/" + pid + "/environ")).split("\0")) {
                int eq = entry.indexOf('=');
                if (eq > 0) {
                    env.put(entry.substring(0, eq), entry.substring(eq + 1));
                }
            }
            return env;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What a plain HTTP/1.1 GET of {@code target} on a loopback port reads before the connection ends. */
    private static String answerOf(int port, String target) {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
            s.setSoTimeout(15_000);
            s.getOutputStream().write(("GET " + target + " HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            return new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
        } catch (java.net.ConnectException e) {
            throw new AssertionError("nothing listens on port " + port, e);
        } catch (java.net.SocketException e) {
            // reset: nothing was answered either
            return "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The session counts of every line of the log that {@code line} matches (its first group). */
    private static List<Integer> sessions(Pattern line, String log) {
        Matcher m = line.matcher(log);
        List<Integer> sessions = new java.util.ArrayList<>();
        while (m.find()) {
            sessions.add(Integer.parseInt(m.group(1)));
        }
        return sessions;
    }

    private static String metrics(ClusterProcess process) {
        return process.management("GET", "/q/metrics", null).body();
    }

    /** The value of a metric's sample whose labels contain {@code label} (0 when it has none). */
    private static double sample(String metrics, String name, String label) {
        return metrics.lines().filter(l -> l.startsWith(name + "{") && l.contains(label))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    /** Runs a full garbage collection in a process of the cluster ({@code jcmd <pid> GC.run}). */
    private static void fullCollection(long pid) {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        try {
            Process p = new ProcessBuilder(jcmd.toString(), String.valueOf(pid), "GC.run").redirectErrorStream(true)
                    .start();
            String out = new String(p.getInputStream().readAllBytes());
            assertThat(p.waitFor()).as("jcmd GC.run: %s", out).isZero();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The value of a metric without labels (or the sum of its samples). */
    private static double gauge(String metrics, String name) {
        return metrics.lines().filter(l -> l.startsWith(name + " ") || l.startsWith(name + "{"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    /** The HTTP server's requests on the Socket.IO path, as Micrometer's HTTP binder counts them. */
    private static double socketIoRequests(String metrics) {
        return metrics.lines().filter(l -> l.startsWith("http_server_requests_seconds_count{") && l.contains("/socket.io"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }
}
