package dev.qsio.demo.chat.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import com.fasterxml.jackson.databind.JsonNode;

import dev.qsio.it.support.ClientDriver;
import dev.qsio.it.support.ClusterProcess;

/**
 * The packaged demo as a primary with two worker processes sharing the port: clients on every transport spread over
 * the workers and chat across them; a killed worker is restarted; a rolling restart and scaling keep clients
 * connected.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterIT {

    static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar");
    static final String TOKEN = "test-token";
    static ClusterProcess cluster;
    ClientDriver driver;

    @BeforeAll
    static void startCluster() {
        cluster = ClusterProcess.start(JAR, 2, Map.of(
                "quarkus.socketio.cluster.restart-delay", "300ms",
                "quarkus.socketio.cluster.shutdown-timeout", "10s",
                "quarkus.socketio.cluster.control.enabled", "true",
                "quarkus.socketio.cluster.control.token", TOKEN), "cluster");
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @BeforeEach
    void driver() {
        driver = ClientDriver.start();
    }

    @AfterEach
    void closeDriver() {
        driver.close();
    }

    static void report(String line) {
        System.out.println("[cluster-report] " + line);
        try {
            Files.writeString(Path.of("target/cluster-report.txt"), line + System.lineSeparator(), StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException ignored) {
            // the report is a convenience
        }
    }

    static Map<String, Object> mode(int i) {
        Map<String, Object> opts = new HashMap<>();
        switch (i % 3) {
            case 0 -> opts.put("transports", List.of("polling"));
            case 1 -> opts.put("transports", List.of("websocket"));
            default -> {
            }
        }
        opts.put("reconnectionDelay", 100);
        opts.put("reconnectionDelayMax", 300);
        return opts;
    }

    /** Connects clients; returns the worker each one's hello named. */
    Map<String, Integer> connect(String prefix, int n) {
        for (int i = 0; i < n; i++) {
            driver.connect(prefix + i, cluster.url(), mode(i));
        }
        Map<String, Integer> workers = new HashMap<>();
        for (int i = 0; i < n; i++) {
            driver.await(prefix + i, "connect");
            workers.put(prefix + i, driver.awaitEmit(prefix + i, "hello").get("args").get(0).get("worker").asInt());
        }
        return workers;
    }

    @Test
    @Order(1)
    void hundredClientsSpreadOverBothWorkersChatAcrossThem() throws Exception {
        // one listener on the public port, the primary's: it gives each connection to a worker
        Process ss = new ProcessBuilder("ss", "-ltnpH", "sport = :" + cluster.port()).start();
        String listeners = new String(ss.getInputStream().readAllBytes());
        assertThat(listeners.lines().filter(l -> l.contains("LISTEN")).toList()).as(listeners).singleElement()
                .asString().contains("pid=" + cluster.pid() + ",");

        Map<String, Integer> workers = connect("c", 100);
        assertThat(new TreeSet<>(workers.values())).containsExactly(1, 2);
        report("100 clients: " + workers.values().stream().filter(w -> w == 1).count() + " on worker 1, "
                + workers.values().stream().filter(w -> w == 2).count() + " on worker 2");

        // one sender per worker and transport mode; every other client receives each message
        List<String> senders = new ArrayList<>();
        for (int w = 1; w <= 2; w++) {
            for (int m = 0; m < 3; m++) {
                int worker = w;
                int modeIndex = m;
                workers.entrySet().stream()
                        .filter(e -> e.getValue() == worker && Integer.parseInt(e.getKey().substring(1)) % 3 == modeIndex)
                        .findFirst().ifPresent(e -> senders.add(e.getKey()));
            }
        }
        assertThat(senders).hasSize(6);
        for (String sender : senders) {
            driver.emitWithAck(sender, "m-" + sender, 5000, "chat", "from " + sender);
            assertThat(driver.awaitAck(sender, "m-" + sender).path("args").get(0).get("ok").asBoolean()).isTrue();
        }
        for (String id : workers.keySet()) {
            for (String sender : senders) {
                if (!sender.equals(id)) {
                    String text = "from " + sender;
                    driver.await(e -> id.equals(e.path("id").asText()) && "chat".equals(e.path("name").asText())
                            && text.equals(e.path("args").get(0).path("text").asText()));
                }
            }
        }
        // how the upgraded sessions ended: on the worker that owned them, taken over, or relayed
        await().atMost(Duration.ofSeconds(5)).until(() -> cluster.workers().stream()
                .allMatch(w -> w.path("stats").path("engine").path("sessions").asInt() > 0));
        long local = 0;
        long takenOver = 0;
        long forwarded = 0;
        long forwardedRequests = 0;
        for (JsonNode w : cluster.workers()) {
            JsonNode e = w.path("stats").path("engine");
            local += e.path("upgradesLocal").asLong();
            takenOver += e.path("upgradesTakenOver").asLong();
            forwarded += e.path("upgradesForwarded").asLong();
            forwardedRequests += e.path("forwardedRequests").asLong();
        }
        report("upgraded sessions (100 clients at once, cold JVMs): " + local + " local, " + takenOver
                + " taken over by the upgrading worker, " + forwarded + " relayed; polling requests forwarded to their owner: "
                + forwardedRequests);
        assertThat(local + takenOver + forwarded).isGreaterThan(0);
        // connections are handed to their session's worker: none is relayed through the other
        assertThat(forwarded).as("relayed WebSocket sessions").isZero();

        // warm: 30 more default clients, one at a time
        for (int i = 0; i < 30; i++) {
            Map<String, Object> opts = new HashMap<>();
            driver.connect("warm" + i, cluster.url(), opts);
            driver.await("warm" + i, "upgrade");
        }
        long[] after = new long[3];
        long before = local + takenOver + forwarded;
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            after[0] = 0;
            after[1] = 0;
            after[2] = 0;
            for (JsonNode w : cluster.workers()) {
                JsonNode e = w.path("stats").path("engine");
                after[0] += e.path("upgradesLocal").asLong();
                after[1] += e.path("upgradesTakenOver").asLong();
                after[2] += e.path("upgradesForwarded").asLong();
            }
            return after[0] + after[1] + after[2] >= before + 30;
        });
        long warmLocal = after[0] - local;
        long warmTaken = after[1] - takenOver;
        long warmRelayed = after[2] - forwarded;
        report("upgraded sessions (30 clients one by one, warm): " + warmLocal + " local, " + warmTaken + " taken over, "
                + warmRelayed + " relayed");
        assertThat(warmRelayed).as("relayed WebSocket sessions").isZero();
    }

    @Test
    @Order(2)
    void httpBroadcastReachesClientsOnBothWorkersAndEveryWorkerCountsTheMessages() throws Exception {
        Map<String, Integer> workers = connect("b", 12);
        assertThat(new TreeSet<>(workers.values())).containsExactly(1, 2);
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        var post = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(cluster.url() + "/api/broadcast"))
                .header("Content-Type", "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"event\":\"news\",\"data\":{\"n\":1}}")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(202);
        for (String id : workers.keySet()) {
            assertThat(driver.awaitEmit(id, "news").get("args").get(0).get("n").asInt()).isEqualTo(1);
        }
        // @OnBroadcast("chat") counts on every worker: both report the same total
        for (int i = 0; i < 5; i++) {
            driver.emit("b" + i, "chat", "count me " + i);
        }
        Map<Integer, Long> counts = new HashMap<>();
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            // a new connection each time, so that the kernel picks either worker
            var res = java.net.http.HttpClient.newHttpClient().send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create(cluster.url() + "/api/stats"))
                    .GET().build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            JsonNode stats = ClientDriver.JSON.readTree(res.body());
            counts.put(stats.get("worker").asInt(), stats.get("messages").asLong());
            return counts.size() == 2 && counts.get(1).equals(counts.get(2)) && counts.get(1) >= 5;
        });
        report("message counter after the chat messages: " + counts);
    }

    @Test
    @Order(3)
    void aKilledWorkerIsRestartedAndOnlyItsClientsReconnect() {
        Map<String, Integer> workers = connect("k", 30);
        JsonNode victim = cluster.worker(1);
        long pid = victim.path("pid").asLong();
        int restartsBefore = victim.path("restarts").asInt();
        long killedAt = System.nanoTime();
        ClusterProcess.signal(pid, "KILL");
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            JsonNode w = cluster.worker(1);
            return w != null && w.path("ready").asBoolean() && w.path("pid").asLong() != pid;
        });
        long restartMs = (System.nanoTime() - killedAt) / 1_000_000;
        assertThat(cluster.worker(1).path("restarts").asInt()).isEqualTo(restartsBefore + 1);
        report("worker restarted " + restartMs + " ms after SIGKILL (restart-delay 300 ms)");
        assertThat(cluster.logText()).contains("Worker 1 (pid " + pid + ") exited with code 137; restarting it in");

        // the clients of worker 2 hold their whole session there, whatever their transports: untouched
        for (Map.Entry<String, Integer> e : workers.entrySet()) {
            if (e.getValue() == 1) {
                driver.await(e.getKey(), "disconnect");
                driver.await(e.getKey(), "reconnect");
            } else {
                assertThat(driver.events(e.getKey(), "disconnect")).as(e.getKey()).isEmpty();
            }
        }
        // every client is connected again and chat still crosses workers
        for (String id : workers.keySet()) {
            await().atMost(Duration.ofSeconds(20)).until(() -> driver.connectedNow(id));
        }
        long disturbed = workers.entrySet().stream().filter(e -> e.getValue() == 2 && !driver.events(e.getKey(),
                "disconnect").isEmpty()).count();
        report("SIGKILL of worker 1: its " + workers.values().stream().filter(w -> w == 1).count()
                + " clients reconnected; clients of worker 2 disturbed: " + disturbed);
        assertThat(disturbed).isZero();
    }

    @Test
    @Order(4)
    void rollingRestartWhileClientsChat() {
        Map<String, Integer> workers = connect("r", 20);
        Set<Long> oldPids = new TreeSet<>();
        cluster.workers().forEach(w -> oldPids.add(w.path("pid").asLong()));
        var started = cluster.management("POST", "/q/socketio/cluster/rolling-restart", TOKEN);
        assertThat(started.statusCode()).isEqualTo(202);
        int[] sent = { 0 };
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100)).until(() -> {
            driver.emit("r" + (sent[0] % 20), "chat", "during roll " + sent[0]++);
            List<JsonNode> w = cluster.workers();
            return w.size() == 2 && w.stream().allMatch(x -> x.path("ready").asBoolean()
                    && !oldPids.contains(x.path("pid").asLong()));
        });
        for (String id : workers.keySet()) {
            await().atMost(Duration.ofSeconds(20)).until(() -> driver.connectedNow(id));
            assertThat(driver.events(id, "connect_error")).as("handshake failures of " + id).isEmpty();
        }
        report("rolling restart with 20 clients chatting (" + sent[0] + " messages sent meanwhile): 0 failed handshakes");
        driver.emitWithAck("r0", "after-roll", 5000, "chat", "after the roll");
        assertThat(driver.awaitAck("r0", "after-roll").path("args").get(0).get("ok").asBoolean()).isTrue();
    }

    @Test
    @Order(5)
    void scaleUpAndDownThroughTheEndpoint() {
        Map<String, Integer> workers = connect("s", 20);
        assertThat(cluster.management("POST", "/q/socketio/cluster/scale?to=3", null).statusCode()).isEqualTo(401);
        var up = cluster.management("POST", "/q/socketio/cluster/scale?to=3", TOKEN);
        assertThat(up.statusCode()).as(up.body()).isEqualTo(200);
        cluster.awaitReady(3);
        assertThat(cluster.workers()).extracting(w -> w.path("id").asInt()).containsExactly(1, 2, 3);
        var down = cluster.management("POST", "/q/socketio/cluster/scale?to=1", TOKEN);
        assertThat(down.statusCode()).as(down.body()).isEqualTo(200);
        cluster.awaitReady(1);
        assertThat(cluster.workers()).extracting(w -> w.path("id").asInt()).containsExactly(1);
        for (Map.Entry<String, Integer> e : workers.entrySet()) {
            String id = e.getKey();
            await().atMost(Duration.ofSeconds(20)).until(() -> driver.connectedNow(id));
            if (e.getValue() == 2) {
                assertThat(driver.events(id, "disconnect")).as("clients of the removed worker reconnect").isNotEmpty();
            }
        }
        driver.emitWithAck("s0", "after-scale", 5000, "chat", "after scaling");
        assertThat(driver.awaitAck("s0", "after-scale").path("args").get(0).get("worker").asInt()).isEqualTo(1);
        assertThat(cluster.management("POST", "/q/socketio/cluster/scale?to=2", TOKEN).statusCode()).isEqualTo(200);
        cluster.awaitReady(2);
    }
}
