package dev.qsio.it.features.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.qsio.it.support.ClientDriver;
import dev.qsio.it.support.ClusterProcess;

/**
 * A stopping process closes its sessions while its HTTP server still serves them: a single process stopped with
 * SIGTERM, and the workers of a rolling restart. Quarkus closes the HTTP server before its shutdown observers run; the
 * drain once ran there, and found every connection already cut: a polling client's pending request got an empty reply
 * instead of its close packet, {@code quarkus.socketio.drain-spread} spread nothing (every client lost its connection
 * in the same instant), and in a roll the connections the primary still handed to the old worker found no server to
 * take them (Netty's "Failed to register an accepted channel", by the hundred in the log).
 */
class GracefulStopIT {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void aSingleProcessClosesItsSessionsOverTheSpreadWhileItsServerStillAnswers() throws Exception {
        try (ClusterProcess single = ClusterProcess.startSingle(ClusterApiIT.JAR,
                Map.of("quarkus.socketio.drain-spread", "2s"), "graceful-single");
                ClientDriver driver = ClientDriver.start()) {
            // official clients, half WebSocket only and half polling only, that do not come back
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                String id = "c" + i;
                ids.add(id);
                driver.connect(id, single.url(), Map.of("transports", List.of(i % 2 == 0 ? "websocket" : "polling"),
                        "reconnection", false));
            }
            for (String id : ids) {
                driver.await(id, "connect");
            }
            // a raw polling session whose poll waits for something to send when the stop begins
            String base = single.url() + "/socket.io/?EIO=4&transport=polling";
            String open = HTTP.send(HttpRequest.newBuilder(URI.create(base)).build(), HttpResponse.BodyHandlers.ofString())
                    .body();
            Matcher sid = Pattern.compile("\"sid\":\"([^\"]+)\"").matcher(open);
            assertThat(sid.find()).as(open).isTrue();
            String session = base + "&sid=" + sid.group(1);
            HTTP.send(HttpRequest.newBuilder(URI.create(session)).POST(HttpRequest.BodyPublishers.ofString("40")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(HTTP.send(HttpRequest.newBuilder(URI.create(session)).build(), HttpResponse.BodyHandlers.ofString())
                    .body()).startsWith("40");
            CompletableFuture<HttpResponse<String>> pending = HTTP.sendAsync(HttpRequest.newBuilder(URI.create(session))
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());

            ClusterProcess.signal(single.pid(), "TERM");

            // its polls are answered until one carries the Engine.IO close packet (a ping on the way is answered)
            HttpResponse<String> answer = pending.get(30, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (true) {
                assertThat(answer.statusCode()).as("a poll of the draining process: %s", answer.body()).isEqualTo(200);
                List<String> packets = List.of(answer.body().split("\u001e"));
                if (packets.contains("1")) {
                    break;
                }
                assertThat(System.nanoTime()).as("the close packet within 30 s").isLessThan(deadline);
                if (packets.contains("2")) {
                    HTTP.send(HttpRequest.newBuilder(URI.create(session)).POST(HttpRequest.BodyPublishers.ofString("3"))
                            .build(), HttpResponse.BodyHandlers.ofString());
                }
                answer = HTTP.send(HttpRequest.newBuilder(URI.create(session)).timeout(Duration.ofSeconds(30)).build(),
                        HttpResponse.BodyHandlers.ofString());
            }
            for (String id : ids) {
                driver.await(id, "disconnect");
            }
            List<Long> at = new ArrayList<>();
            for (String id : ids) {
                JsonNode d = driver.events(id, "disconnect").get(0);
                // closed by the server, its close carried to the client: a polling client whose next request failed
                // would say "transport error"
                assertThat(d.path("reason").asText()).as("%s: %s", id, d).isEqualTo("transport close");
                at.add(d.path("at").asLong());
            }
            long spread = at.stream().mapToLong(Long::longValue).max().orElseThrow()
                    - at.stream().mapToLong(Long::longValue).min().orElseThrow();
            // 20 closes drawn over 2 s: all within 0.5 s has a chance of about 1 in 10^10
            assertThat(spread).as("ms between the first and the last client's disconnect").isGreaterThan(500);
            await().atMost(Duration.ofSeconds(30)).until(() -> !single.process().isAlive());
        }
    }

    private static final Pattern WARMED = Pattern.compile("Warmed the connection path with (\\d+) sessions");
    private static final Pattern RECOVERY_WARMED = Pattern
            .compile("Warmed connection state recovery's session store with (\\d+) sessions");

    /**
     * A rolling restart: each replacement warms its connection path before it is ready (the whole default, where the
     * workers started with the cluster share it), since the clients of the worker it replaces all come to it at once; each old worker drains
     * while its server still answers, over 5 s (drain-spread unset), then takes no more connections. Every client comes
     * back with its session.
     */
    @Test
    void aRollingRestartWarmsEachReplacementAndItsClientsFindNoClosedServer() {
        Map<String, String> props = Map.of(ClusterProcess.WARM_UP, "", ClusterProcess.DRAIN_SPREAD, "",
                "quarkus.socketio.warm-up.timeout", "60s",
                "quarkus.socketio.connection-state-recovery.enabled", "true",
                "quarkus.socketio.warm-up.recovery-sessions", "200");
        try (ClusterProcess cluster = ClusterProcess.launch(ClusterApiIT.JAR, 2, props, "graceful-roll");
                ClientDriver driver = ClientDriver.start()) {
            cluster.awaitReady(2);
            assertThat(sessions(WARMED, cluster.logText())).as("the workers started with the cluster share the default")
                    .containsExactly(2000, 2000);
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                String id = "r" + i;
                ids.add(id);
                Map<String, Object> opts = switch (i % 3) {
                    case 0 -> Map.of("transports", List.of("polling"));
                    case 1 -> Map.of("transports", List.of("websocket"));
                    default -> Map.of();
                };
                driver.connect(id, cluster.url(), opts);
            }
            Map<String, Long> workerOf = new HashMap<>();
            for (String id : ids) {
                driver.await(id, "connect");
                driver.call(id, 30_000, "join", "r");
                workerOf.put(id, driver.call(id, 30_000, "whoami").get(0).asLong());
            }
            // a broadcast each client gets: its offset, with which its reconnection asks for its session back
            driver.connect("pub", cluster.url(), Map.of());
            driver.await("pub", "connect");
            driver.call("pub", 30_000, "publish", "P", 0, "r");
            for (String id : ids) {
                driver.awaitEmit(id, "n");
            }
            List<Long> before = cluster.workers().stream().map(w -> w.path("pid").asLong()).toList();

            ClusterProcess.signal(cluster.pid(), "USR1");

            await().atMost(Duration.ofSeconds(180)).alias("the rolling restart done")
                    .until(() -> cluster.logText().contains("Rolling restart done"));
            assertThat(cluster.workers()).allSatisfy(w -> assertThat(before).doesNotContain(w.path("pid").asLong()));
            // every client lost its connection once (its worker drained) and came back with its session
            await().atMost(Duration.ofSeconds(60)).alias("every client back").until(() -> ids.stream()
                    .allMatch(id -> driver.connectedNow(id) && driver.events(id, "connect").size() >= 2));
            for (String id : ids) {
                List<JsonNode> connects = driver.events(id, "connect");
                assertThat(connects.get(connects.size() - 1).path("recovered").asBoolean())
                        .as("%s: %s", id, connects).isTrue();
            }
            // each old worker closed its sessions over drain-spread, 5 s when unset in a worker: its clients lost their
            // connections at times spread over it, not in one instant (15 closes over 5 s all within 1 s: about 1 in
            // 10^9)
            int judged = 0;
            for (long worker = 1; worker <= 2; worker++) {
                long w = worker;
                List<Long> lost = ids.stream().filter(id -> workerOf.get(id) == w)
                        .map(id -> driver.events(id, "disconnect").get(0).path("at").asLong()).toList();
                if (lost.size() < 8) {
                    // too few to judge a spread (the primary places new sessions at random): the other worker has 23
                    // or more
                    continue;
                }
                judged++;
                long spread = lost.stream().mapToLong(Long::longValue).max().orElseThrow()
                        - lost.stream().mapToLong(Long::longValue).min().orElseThrow();
                assertThat(spread).as("ms between the first and last disconnect of worker %d's clients", w)
                        .isGreaterThan(1000);
            }
            assertThat(judged).isPositive();
            assertThat(cluster.logText()).contains("closing its sessions over 5000 ms");
            assertThat(sessions(WARMED, cluster.logText())).as("then one warm-up per replacement, the whole default")
                    .containsExactly(2000, 2000, 4000, 4000);
            assertThat(count(RECOVERY_WARMED, cluster.logText()))
                    .as("the recovery store warmed in the primary, the two first workers and both replacements")
                    .isEqualTo(5);
            assertThat(cluster.logText()).doesNotContain("Failed to register an accepted channel")
                    .doesNotContain("reached at the tail of the pipeline");
        }
    }

    private static int count(Pattern p, String log) {
        return sessions(p, log).size();
    }

    private static List<Integer> sessions(Pattern p, String log) {
        List<Integer> found = new ArrayList<>();
        Matcher m = p.matcher(log);
        while (m.find()) {
            found.add(Integer.parseInt(m.group(1)));
        }
        return found;
    }
}
