package dev.qsio.it.features.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import dev.qsio.it.support.ClientDriver;
import dev.qsio.it.support.ClusterProcess;

/**
 * What an operator (or anyone with the control token, or a local user) can do to a cluster is bounded: scaling stops
 * at {@code max-workers}; the bus port refuses large frames and floods before authentication and logs refusals
 * once per interval; a worker out of memory exits and is replaced while the other worker's clients go on; workers
 * never outlive their primary, even while they are still starting.
 */
class OperatorLimitsIT {

    static final String TOKEN = "limits-token";

    static void report(String line) {
        System.out.println("[operator-limits-report] " + line);
    }

    @Test
    void scalingIsBoundedAndTheBusPortRefusesFloodsBeforeAuthentication() throws Exception {
        try (ClusterProcess cluster = ClusterProcess.start(ClusterApiIT.JAR, 2, Map.of(
                "quarkus.socketio.cluster.control.enabled", "true",
                "quarkus.socketio.cluster.control.token", TOKEN,
                "quarkus.socketio.cluster.max-workers", "3"), "limits")) {
            HttpResponse<String> huge = cluster.management("POST", "/q/socketio/cluster/scale?to=100000", TOKEN);
            assertThat(huge.statusCode()).isEqualTo(400);
            assertThat(huge.body()).contains("at most 3").contains("quarkus.socketio.cluster.max-workers");
            assertThat(cluster.management("POST", "/q/socketio/cluster/scale?up=2", TOKEN).statusCode()).isEqualTo(400);
            assertThat(cluster.workers()).hasSize(2);
            // up to the maximum is fine
            assertThat(cluster.management("POST", "/q/socketio/cluster/scale?to=3", TOKEN).statusCode()).isEqualTo(200);
            cluster.awaitReady(3);

            Matcher m = Pattern.compile("cluster bus on 127\\.0\\.0\\.1:(\\d+)").matcher(cluster.logText());
            assertThat(m.find()).isTrue();
            int busPort = Integer.parseInt(m.group(1));
            long floodStarted = System.nanoTime();
            // a frame of 60 MB announced before authenticating: closed at once, nothing buffered
            try (Socket s = new Socket("127.0.0.1", busPort)) {
                DataOutputStream out = new DataOutputStream(s.getOutputStream());
                try {
                    out.writeInt(60 * 1024 * 1024);
                    out.write(new byte[32 * 1024]);
                    out.flush();
                } catch (SocketException e) {
                    // closed by the relay while the bytes were still being written
                }
                assertThat(closedByServer(s)).isTrue();
            }
            // 25 peers with a wrong secret, 10 frames each: all closed, at most one WARN line
            for (int i = 0; i < 25; i++) {
                try (Socket s = new Socket("127.0.0.1", busPort)) {
                    ByteArrayOutputStream frames = new ByteArrayOutputStream();
                    DataOutputStream out = new DataOutputStream(frames);
                    byte[] secret = "guessed".getBytes(StandardCharsets.UTF_8);
                    for (int f = 0; f < 10; f++) {
                        out.writeInt(1 + 4 + 4 + 8 + 4 + secret.length);
                        out.writeByte(1);
                        out.writeInt(90 + i);
                        out.writeInt(7);
                        out.writeLong(1234);
                        out.writeInt(secret.length);
                        out.write(secret);
                    }
                    try {
                        s.getOutputStream().write(frames.toByteArray());
                    } catch (SocketException e) {
                        // the relay refused and closed the connection while the frames were still being written
                    }
                    assertThat(closedByServer(s)).isTrue();
                }
            }
            long floodMs = (System.nanoTime() - floodStarted) / 1_000_000;
            List<String> warnings = cluster.logText().lines().filter(l -> l.contains("WARN") && l.contains("Refused a "
                    + "bus connection")).toList();
            // one WARN line per 10 s at most (the relay's interval), the first at the first refusal: one, unless
            // the flood took longer than that on a busy machine
            assertThat(warnings).as("WARN lines for 26 refused peers in %d ms", floodMs).hasSizeBetween(1,
                    1 + (int) (floodMs / 10_000));
            // each line counts those refused since the one before, at DEBUG: never more than were refused
            long reported = 0;
            for (String line : warnings) {
                Matcher more = Pattern.compile("\\((\\d+) more refused").matcher(line);
                reported += 1 + (more.find() ? Long.parseLong(more.group(1)) : 0);
            }
            assertThat(reported).as("refusals the WARN lines account for: " + warnings).isBetween(1L, 26L);
            assertThat(cluster.workers()).hasSize(3).allMatch(w -> w.path("ready").asBoolean());
        }
    }

    @Test
    void aWorkerOutOfMemoryExitsAndIsReplacedWhileTheOtherWorkersClientsGoOn() {
        try (ClusterProcess cluster = ClusterProcess.start(ClusterApiIT.JAR, 2, Map.of(
                "quarkus.socketio.cluster.worker-jvm-options", "-Xmx96m"), "oom");
                ClientDriver driver = ClientDriver.start()) {
            ClusterApiIT.cluster = cluster;
            var placed = ClusterApiIT.place(driver, "m", Map.of());
            String onOne = placed.get(1).get("websocket").get(0);
            String onTwo = placed.get(2).get("websocket").get(0);
            long pidTwo = cluster.worker(2).path("pid").asLong();
            driver.emit(onTwo, "exhaust-memory");
            await().atMost(Duration.ofSeconds(60)).alias("worker 2 replaced after running out of memory")
                    .until(() -> cluster.workers().stream().anyMatch(w -> w.path("id").asInt() == 2
                            && w.path("pid").asLong() != pidTwo && w.path("ready").asBoolean()));
            assertThat(cluster.logText()).contains("exited with code 3 (out of memory)");
            // the other worker's client was not disturbed and is still served
            assertThat(driver.events(onOne, "disconnect")).isEmpty();
            assertThat(ClusterApiIT.ack(driver, onOne, "upper", "still").get(0).asText()).isEqualTo("STILL");
            report("worker 2 (-Xmx96m) ran out of memory: exited with code 3 and was replaced; worker 1's client "
                    + "undisturbed");
        }
    }

    @Test
    void aWorkerThatKeepsRunningOutOfMemoryIsRestartedWithBackoffNotGivenUpOn() {
        // limits a plain crash reaches at its second: one restart in a life, one in the window
        try (ClusterProcess cluster = ClusterProcess.start(ClusterApiIT.JAR, 2, Map.of(
                "quarkus.socketio.cluster.worker-jvm-options", "-Xmx96m",
                "quarkus.socketio.cluster.max-restarts", "1",
                "quarkus.socketio.cluster.respawn-threshold", "1",
                "quarkus.socketio.cluster.restart-delay", "200ms",
                "quarkus.socketio.cluster.restart-delay-max", "2s"), "oom-again");
                ClientDriver driver = ClientDriver.start()) {
            ClusterApiIT.cluster = cluster;
            String onOne = ClusterApiIT.place(driver, "m", Map.of()).get(1).get("websocket").get(0);
            for (int round = 1; round <= 3; round++) {
                var placed = ClusterApiIT.place(driver, "r" + round + "-", Map.of());
                String onTwo = placed.get(2).get("websocket").get(0);
                long pidTwo = cluster.worker(2).path("pid").asLong();
                driver.emit(onTwo, "exhaust-memory");
                await().atMost(Duration.ofSeconds(60)).alias("worker 2 replaced after running out of memory, round "
                        + round).until(() -> cluster.workers().stream().anyMatch(w -> w.path("id").asInt() == 2
                                && w.path("pid").asLong() != pidTwo && w.path("ready").asBoolean()));
            }
            assertThat(cluster.logText()).contains("runs out of memory after it was ready is always restarted")
                    .doesNotContain("will not be restarted");
            assertThat(driver.events(onOne, "disconnect")).isEmpty();
            assertThat(ClusterApiIT.ack(driver, onOne, "upper", "still").get(0).asText()).isEqualTo("STILL");
            report("worker 2 (-Xmx96m, max-restarts=1, respawn-threshold=1) ran out of memory 3 times: restarted "
                    + "each time; worker 1's client undisturbed");
        }
    }

    @Test
    void workersDoNotOutliveAPrimaryKilledWhileTheyStart() {
        ClusterProcess cluster = ClusterProcess.launch(ClusterApiIT.JAR, 2, Map.of(), "orphans");
        try {
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                    .until(() -> cluster.process().descendants().count() >= 2);
            List<ProcessHandle> workers = cluster.process().descendants().toList();
            // none is ready yet: they are still starting their JVMs
            ClusterProcess.signal(cluster.pid(), "KILL");
            long killed = System.nanoTime();
            await().atMost(Duration.ofSeconds(20)).alias("workers gone after the primary")
                    .until(() -> workers.stream().noneMatch(ProcessHandle::isAlive));
            report("primary SIGKILLed while its 2 workers started: both gone after "
                    + (System.nanoTime() - killed) / 1_000_000 + " ms");
        } finally {
            cluster.close();
        }
    }

    @Test
    void moreWorkersThanTheMaximumFailStartupNamingTheKeys() throws Exception {
        ClusterProcess cluster = ClusterProcess.launch(ClusterApiIT.JAR, 3, Map.of(
                "quarkus.socketio.cluster.max-workers", "2"), "max-workers");
        try {
            assertThat(cluster.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(cluster.process().exitValue()).isNotZero();
            assertThat(cluster.logText()).contains("quarkus.socketio.cluster.workers is 3, more than "
                    + "quarkus.socketio.cluster.max-workers (2)");
        } finally {
            cluster.close();
        }
    }

    static boolean closedByServer(Socket s) throws IOException {
        s.setSoTimeout(5000);
        InputStream in = s.getInputStream();
        byte[] sink = new byte[4096];
        try {
            while (in.read(sink) >= 0) {
                // the REFUSED frame, if any
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }
}
