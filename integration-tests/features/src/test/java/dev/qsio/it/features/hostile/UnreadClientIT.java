package dev.qsio.it.features.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.qsio.it.support.ClientDriver;
import dev.qsio.it.support.ClusterProcess;
import dev.qsio.it.support.FrameSocket;
import dev.qsio.it.support.RawHttp;

/**
 * Clients that never read what they are sent cannot make the server hold unbounded memory. With {@code -Xmx256m},
 * one polling client that stops polling and one WebSocket client that stops reading join a room that receives 200
 * messages of 900 KB (180 MB each, more than the heap). Each of them is closed once the server holds
 * {@code max-buffered-bytes} for it; no {@code OutOfMemoryError}; a reading client in the same room, which the stream
 * waits for (the server holds at most a few messages for it, whatever the machine's load), gets every message, and five ordinary clients chatting throughout see no disconnection and every acknowledgement. One
 * process and a cluster of two workers.
 */
class UnreadClientIT {

    static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar");
    static final int MESSAGES = 200;
    static final int SIZE = 900_000;
    /** How far the reading client may fall behind the stream: 3.6 MB, against the default bound of 10 MB. */
    static final int WINDOW = 4;

    static void report(String line) {
        System.out.println("[unread-client-report] " + line);
    }

    @Test
    void oneProcess() throws Exception {
        try (ClusterProcess server = ClusterProcess.startSingle(JAR, properties(), "unread-single",
                List.of("-Xmx256m"))) {
            attack(server, List.of(server.pid()), "one process");
        }
    }

    @Test
    void clusterOfTwoWorkers() throws Exception {
        Map<String, String> props = properties();
        props.put("quarkus.socketio.cluster.worker-jvm-options", "-Xmx256m");
        try (ClusterProcess cluster = ClusterProcess.start(JAR, 2, props, "unread-cluster")) {
            List<Long> pids = cluster.workers().stream().map(w -> w.path("pid").asLong()).toList();
            attack(cluster, pids, "2 workers");
            // the workers are the ones that started: none ran out of memory and was replaced
            assertThat(cluster.workers().stream().map(w -> w.path("pid").asLong()).toList()).isEqualTo(pids);
            await().atMost(Duration.ofSeconds(10)).alias("sessions closed for not reading, by the workers' counters")
                    .until(() -> cluster.workers().stream()
                            .mapToLong(w -> w.path("stats").path("engine").path("bufferOverflows").asLong()).sum() >= 2);
        }
    }

    private static Map<String, String> properties() {
        Map<String, String> props = new HashMap<>();
        // the server's default heartbeat: the unread clients are closed by the bound, not by a ping timeout
        props.put("quarkus.socketio.ping-interval", "25s");
        props.put("quarkus.socketio.ping-timeout", "20s");
        return props;
    }

    private void attack(ClusterProcess server, List<Long> pids, String what) throws Exception {
        long baselineKb = pids.stream().mapToLong(UnreadClientIT::rssKb).sum();
        long heapBeforeKb = pids.stream().mapToLong(UnreadClientIT::liveHeapKb).sum();
        try (ClientDriver driver = ClientDriver.start();
                PollingNonReader poller = PollingNonReader.join(server.url(), "big");
                FrameSocket reader = joinWithoutReading(server.port(), "big")) {
            List<String> ordinary = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                String id = "o" + i;
                ordinary.add(id);
                Map<String, Object> opts = i % 2 == 0 ? Map.of() : Map.of("transports", List.of("websocket"));
                driver.connect(id, server.url(), opts);
                driver.awaitEmit(id, "welcome");
            }
            driver.connectTracking("receiver", server.url(), Map.of("transports", List.of("websocket")), "n");
            driver.await("receiver", "connect");
            driver.call("receiver", 15_000, "join", "big");
            driver.connect("publisher", server.url(), Map.of("transports", List.of("websocket")));
            driver.await("publisher", "connect");

            AtomicLong peakKb = new AtomicLong(baselineKb);
            int acks = 0;
            for (int i = 0; i < MESSAGES; i++) {
                driver.call("publisher", 30_000, "heavy-at", "P", i, "big", SIZE);
                // the reading client keeps up: it is never more than WINDOW messages (well under max-buffered-bytes)
                // behind, however long a busy machine makes it take to read one, so the bound is never its to reach;
                // the clients that read nothing fall behind by the whole stream (180 MB)
                int sent = i + 1;
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
                        .alias("the reading client within " + WINDOW + " messages of " + sent)
                        .until(() -> driver.report("receiver").path("origins").path("P").path("count").asInt()
                                >= sent - WINDOW || !driver.events("receiver", "disconnect").isEmpty());
                if (!driver.events("receiver", "disconnect").isEmpty()) {
                    break;
                }
                // ordinary clients chat throughout
                String id = ordinary.get(i % ordinary.size());
                String text = "m" + ThreadLocalRandom.current().nextInt(1_000_000);
                JsonNode answer = driver.call(id, 15_000, "upper", text);
                assertThat(answer.get(0).asText()).isEqualTo(text.toUpperCase());
                acks++;
                peakKb.accumulateAndGet(pids.stream().mapToLong(UnreadClientIT::rssKb).sum(), Math::max);
            }
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> driver.report("receiver").path("origins").path("P").path("count").asInt() >= MESSAGES
                            || !driver.events("receiver", "disconnect").isEmpty());
            JsonNode p = driver.report("receiver").path("origins").path("P");
            assertThat(p.path("count").asInt()).as("the reading client in the room: " + p + ", its disconnects: "
                    + driver.events("receiver", "disconnect")).isEqualTo(MESSAGES);
            assertThat(p.path("outOfOrder").asInt()).isZero();
            // the ones that did not read were closed, long before a ping timeout could
            HttpResponse<String> poll = RawHttp.get(poller.uri());
            assertThat(poll.statusCode()).as("the polling client's session is gone: " + poll.body()).isEqualTo(400);
            assertThat(reader.closedByServer(Duration.ofSeconds(30))).as("the server closed the unread WebSocket")
                    .isTrue();
            for (String id : List.of("o0", "o1", "o2", "o3", "o4", "receiver", "publisher")) {
                assertThat(driver.events(id, "disconnect")).as(id + " was not disconnected").isEmpty();
            }
            assertThat(server.logText()).doesNotContain("OutOfMemoryError");
            long afterKb = pids.stream().mapToLong(UnreadClientIT::rssKb).sum();
            long heapAfterKb = pids.stream().mapToLong(UnreadClientIT::liveHeapKb).sum();
            report(what + " with -Xmx256m: 2 unread clients closed, reading client got " + MESSAGES + " x " + SIZE / 1000
                    + " KB; " + acks + " acks to 5 ordinary clients, none lost; resident " + baselineKb / 1024
                    + " MB before, peak " + peakKb.get() / 1024 + " MB, " + afterKb / 1024 + " MB after; live heap "
                    + heapBeforeKb / 1024 + " MB before, " + heapAfterKb / 1024 + " MB after");
            // what the attack made the server hold is gone with the sessions
            assertThat(heapAfterKb - heapBeforeKb).as("live heap growth after the attack, KB").isLessThan(32 * 1024L);
            // without the bound each unread client made the server hold the whole stream (180 MB)
            assertThat(peakKb.get() - baselineKb).as("resident growth during the attack, KB").isLessThan(300 * 1024L);
        }
    }

    /** The heap in use after a full collection, by jcmd; the JVM keeps the resident memory it once took. */
    static long liveHeapKb(long pid) {
        Path jcmd = Path.of(ProcessHandle.current().info().command().orElseThrow()).resolveSibling("jcmd");
        try {
            run(jcmd.toString(), String.valueOf(pid), "GC.run");
            String info = run(jcmd.toString(), String.valueOf(pid), "GC.heap_info");
            Matcher m = Pattern.compile("used (\\d+)K").matcher(info);
            assertThat(m.find()).as(info).isTrue();
            return Long.parseLong(m.group(1));
        } catch (IOException | InterruptedException e) {
            throw new AssertionError("jcmd " + pid, e);
        }
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(String.join(" ", command) + ": " + out).isZero();
        return out;
    }

    static long rssKb(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException e) {
            return 0;
        }
        return 0;
    }

    /** A polling client that joins a room, then never polls again. */
    static final class PollingNonReader implements AutoCloseable {
        final String base;
        final String sid;

        private PollingNonReader(String base, String sid) {
            this.base = base;
            this.sid = sid;
        }

        static PollingNonReader join(String url, String room) {
            String base = url + "/socket.io/?EIO=4&transport=polling";
            String open = RawHttp.get(base).body();
            String sid = open.replaceAll(".*\"sid\":\"([^\"]+)\".*", "$1");
            PollingNonReader c = new PollingNonReader(base, sid);
            assertThat(RawHttp.post(c.uri(), "40").statusCode()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(10)).until(() -> RawHttp.get(c.uri()).body(), b -> b.contains("40{"));
            assertThat(RawHttp.post(c.uri(), "421[\"join\",\"" + room + "\"]").statusCode()).isEqualTo(200);
            StringBuilder seen = new StringBuilder();
            await().atMost(Duration.ofSeconds(10)).until(() -> seen.append(RawHttp.get(c.uri()).body()).toString(),
                    b -> b.contains("431[\"joined " + room + "\"]"));
            return c;
        }

        String uri() {
            return base + "&sid=" + sid;
        }

        @Override
        public void close() {
        }
    }

    /** A WebSocket client that joins a room, then stops reading (a small receive buffer, nothing read). */
    static FrameSocket joinWithoutReading(int port, String room) throws IOException {
        FrameSocket c = FrameSocket.open(port, "/socket.io/?EIO=4&transport=websocket", 4096);
        c.nextTextStartingWith("0{");
        c.sendText("40");
        c.nextTextStartingWith("40{");
        c.sendText("421[\"join\",\"" + room + "\"]");
        c.nextTextStartingWith("431[");
        return c;
    }
}
