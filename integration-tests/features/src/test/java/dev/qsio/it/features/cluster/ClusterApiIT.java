package dev.qsio.it.features.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.qsio.it.support.ClientDriver;
import dev.qsio.it.support.ClusterProcess;

/**
 * The cluster-wide Socket.IO API with three worker processes: every operation with the caller and the targets on
 * different workers, over polling and WebSocket.
 */
class ClusterApiIT {

    static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar");
    static ClusterProcess cluster;
    ClientDriver driver;
    /** Client ids by worker, then by transport. */
    Map<Integer, Map<String, List<String>>> placed;

    @BeforeAll
    static void start() {
        // the default ping timeout (20 s), not the application's 2 s: a burst of 10,000 broadcasts queues ahead of a
        // polling client's ping, which the official client answers only once it has handled all that came before; on
        // a busy 2-core machine that took more than 2 s (1 run of 3 with the sessions on their workers' ports, 2 of 3
        // with the primary routing), and the session ended by ping timeout, as the reference server would end it
        cluster = ClusterProcess.start(JAR, 3, Map.of("quarkus.socketio.ping-timeout", "20s"), "api");
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    @BeforeEach
    void clients() {
        driver = ClientDriver.start();
        placed = place(driver, "c", Map.of("question", List.of("yes")));
    }

    @AfterEach
    void close() {
        driver.close();
    }

    /** Connects clients until every worker has at least one polling and one WebSocket client. */
    static Map<Integer, Map<String, List<String>>> place(ClientDriver driver, String prefix, Map<String, List<Object>> replies) {
        Map<Integer, Map<String, List<String>>> placed = new HashMap<>();
        for (int i = 0; i < 60; i++) {
            String id = prefix + i;
            String transport = i % 2 == 0 ? "polling" : "websocket";
            Map<String, Object> opts = new HashMap<>(Map.of("transports", List.of(transport), "auth",
                    Map.of("name", "client-" + i)));
            driver.connect(id, cluster.url(), opts, replies);
            driver.awaitEmit(id, "welcome");
            int worker = ack(driver, id, "whoami").get(0).asInt();
            placed.computeIfAbsent(worker, w -> new HashMap<>()).computeIfAbsent(transport, t -> new ArrayList<>()).add(id);
            if (placed.size() == cluster.workers().size() && placed.values().stream()
                    .allMatch(m -> m.containsKey("polling") && m.containsKey("websocket"))) {
                return placed;
            }
        }
        throw new AssertionError("clients did not reach every worker: " + placed);
    }

    static JsonNode ack(ClientDriver driver, String id, String event, Object... args) {
        return driver.call(id, 15_000, event, args);
    }

    String on(int worker, String transport) {
        return placed.get(worker).get(transport).get(0);
    }

    List<String> all() {
        return placed.values().stream().flatMap(m -> m.values().stream()).flatMap(List::stream).toList();
    }

    /** Waits until every client has a broadcast to everyone from each of {@code senders} ({@link ClientDriver#fence}). */
    void fence(String... senders) {
        driver.fence(all(), "everyone", Map.of("k", "fence"), senders);
    }

    long received(String id, String event) {
        return driver.received(id, event);
    }

    @Test
    void broadcastsReachEveryWorkerExactlyOnceAndHonourRoomsAndExclusions() {
        String sender = on(1, "polling");
        List<Integer> seenBefore = new ArrayList<>();
        for (int w = 1; w <= 3; w++) {
            seenBefore.add(ack(driver, on(w, "websocket"), "everyone-seen").get(0).size());
        }
        driver.emit(sender, "everyone", Map.of("k", "v"));
        for (String id : all()) {
            driver.awaitEmit(id, "everyone");
        }
        // @OnBroadcast ran once on every worker, the origin included
        for (int w = 1; w <= 3; w++) {
            int worker = w;
            await().atMost(Duration.ofSeconds(10)).until(() -> ack(driver, on(worker, "websocket"), "everyone-seen").get(0)
                    .size() == seenBefore.get(worker - 1) + 1);
            JsonNode seen = ack(driver, on(w, "websocket"), "everyone-seen").get(0);
            assertThat(seen.get(seen.size() - 1).asInt()).isEqualTo(1);
        }

        // a room spread over workers 2 and 3; the sender on worker 2 is in it too
        String b = on(2, "websocket");
        String c = on(3, "polling");
        String d = on(3, "websocket");
        ack(driver, b, "join", "team");
        ack(driver, c, "join", "team");
        driver.emit(b, "to-room", Map.of("room", "team", "text", "to the team"));
        driver.awaitEmit(c, "room-message");
        driver.emit(sender, "to-room-all", Map.of("room", "team", "text", "everyone in the team"));
        driver.awaitEmit(b, "room-message");
        driver.awaitEmit(c, "room-message");
        driver.emit(sender, "except", "team", "not the team");
        driver.awaitEmit(d, "except");
        driver.awaitEmit(on(1, "websocket"), "except");

        // no copy arrives late, and nothing reaches sockets outside the selections
        fence(sender, b);
        assertThat(all().stream().map(id -> received(id, "everyone")).toList() + " " + received(b, "room-message") + " "
                + received(c, "room-message") + " " + received(d, "room-message"))
                .isEqualTo(all().stream().map(id -> 3L).toList() + " 1 2 0");
        assertThat(received(b, "room-message")).as("the sender is excluded, not its room").isEqualTo(1);
        assertThat(received(c, "room-message")).isEqualTo(2);
        assertThat(received(d, "room-message")).isZero();
        assertThat(received(b, "except") + received(c, "except")).isZero();
    }

    @Test
    void fetchSocketsReturnsRemoteSocketsThatCanBeActedOn() {
        String caller = on(1, "websocket");
        String far = on(3, "polling");
        String near = on(2, "websocket");
        ack(driver, far, "join", "lobby");
        ack(driver, near, "join", "lobby");
        JsonNode sockets = ack(driver, caller, "fetch-details", "lobby").get(0);
        assertThat(sockets).hasSize(2);
        for (JsonNode s : sockets) {
            assertThat(s.get("remote").asBoolean()).isTrue();
            assertThat(s.get("rooms").toString()).contains("lobby", s.get("id").asText());
            assertThat(s.get("name").asText()).startsWith("client-");
            assertThat(s.get("auth").get("name").asText()).isEqualTo(s.get("name").asText());
        }
        String farId = driver.events(far, "connect").get(0).get("sid").asText();
        assertThat(ack(driver, caller, "remote-action", farId, "emit", "hi there").get(0).asText()).isEqualTo("emit done");
        assertThat(driver.awaitEmit(far, "direct").get("args").get(0).asText()).isEqualTo("hi there");
        ack(driver, caller, "remote-action", farId, "join", "vip");
        await().atMost(Duration.ofSeconds(5)).until(() -> ack(driver, caller, "fetch-details", "vip").get(0).size() == 1);
        ack(driver, caller, "remote-action", farId, "leave", "vip");
        await().atMost(Duration.ofSeconds(5)).until(() -> ack(driver, caller, "fetch-details", "vip").get(0).isEmpty());
        ack(driver, caller, "remote-action", farId, "disconnect", "");
        assertThat(driver.await(far, "disconnect").get("reason").asText()).isEqualTo("io server disconnect");
    }

    @Test
    void socketsJoinLeaveAndDisconnectAcrossWorkers() {
        String caller = on(1, "polling");
        List<String> members = List.of(on(2, "polling"), on(3, "websocket"));
        for (String m : members) {
            ack(driver, m, "join", "one");
        }
        ack(driver, caller, "sockets-join", "one", "two");
        await().atMost(Duration.ofSeconds(5)).until(() -> ack(driver, caller, "fetch", "two").get(0).size() == 2);
        ack(driver, caller, "sockets-leave", "one", "two");
        await().atMost(Duration.ofSeconds(5)).until(() -> ack(driver, caller, "fetch", "two").get(0).isEmpty());
        driver.emit(caller, "disconnect-room", "one");
        for (String m : members) {
            assertThat(driver.await(m, "disconnect").get("reason").asText()).isEqualTo("io server disconnect");
        }
        assertThat(driver.events(caller, "disconnect")).isEmpty();
    }

    @Test
    void serverSideEmitReachesTheOtherWorkersAndCollectsTheirAnswers() {
        String caller = on(2, "websocket");
        assertThat(ack(driver, caller, "servers").get(0).asInt()).isEqualTo(3);
        JsonNode pongs = ack(driver, caller, "ping-servers").get(0);
        assertThat(pongs).hasSize(2);
        assertThat(pongs.toString()).contains("pong from 1 to 2", "pong from 3 to 2").doesNotContain("pong from 2");
        driver.emit(caller, "notify-servers", "hello servers");
        for (int w : List.of(1, 3)) {
            int worker = w;
            await().atMost(Duration.ofSeconds(5)).until(() -> ack(driver, on(worker, "polling"), "notifications").get(0)
                    .toString().contains("hello servers from worker 2"));
        }
        assertThat(ack(driver, on(2, "polling"), "notifications").get(0).toString()).doesNotContain("hello servers");
    }

    @Test
    void broadcastWithAcknowledgementsCollectsAnswersFromEveryWorkerOrReportsTheTimeout() {
        String caller = on(1, "websocket");
        for (int w = 1; w <= 3; w++) {
            ack(driver, on(w, "polling"), "join", "quiz");
            ack(driver, on(w, "websocket"), "join", "quiz");
        }
        JsonNode result = ack(driver, caller, "ask-room-timeout", "quiz", 5000).get(0);
        assertThat(result.get("answers")).as(result.toString()).hasSize(6);
        driver.connect("mute", cluster.url(), Map.of("transports", List.of("websocket")), Map.of("question", List.of("$none")));
        driver.awaitEmit("mute", "welcome");
        ack(driver, "mute", "join", "quiz");
        JsonNode timeout = ack(driver, caller, "ask-room-timeout", "quiz", 1000).get(0);
        assertThat(timeout.get("error").asText()).contains("6 of 7 clients acknowledged");
    }

    @Test
    void broadcastsFromTwoOriginsArriveInOrderExactlyOnce() {
        List<String> trackers = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            String id = "t" + i;
            driver.connectTracking(id, cluster.url(), Map.of("transports", List.of(i % 2 == 0 ? "polling" : "websocket")), "n");
            driver.await(id, "connect");
            ack(driver, id, "join", "order");
            trackers.add(id);
        }
        int perOrigin = 5000;
        String a = on(1, "websocket");
        String b = on(3, "polling");
        driver.emitWithAck(a, "burst-a", 60_000, "burst", "A", perOrigin, "order");
        driver.emitWithAck(b, "burst-b", 60_000, "burst", "B", perOrigin, "order");
        driver.awaitAck(a, "burst-a");
        driver.awaitAck(b, "burst-b");
        for (String id : trackers) {
            try {
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).until(() -> {
                    JsonNode r = driver.report(id).get("origins");
                    return r.path("A").path("count").asInt() >= perOrigin
                            && r.path("B").path("count").asInt() >= perOrigin;
                });
            } catch (ConditionTimeoutException e) {
                throw new AssertionError("tracking of " + id + ": " + driver.report(id) + "; its connections: "
                        + driver.events(m -> id.equals(m.path("id").asText()) && List.of("connect", "disconnect",
                                "upgrade").contains(m.path("event").asText())), e);
            }
            JsonNode r = driver.report(id).get("origins");
            for (String origin : List.of("A", "B")) {
                assertThat(r.get(origin).get("count").asInt()).as(id + " " + origin).isEqualTo(perOrigin);
                assertThat(r.get(origin).get("outOfOrder").asInt()).as(id + " " + origin).isZero();
                assertThat(r.get(origin).get("duplicates").asInt()).as(id + " " + origin).isZero();
                assertThat(r.get(origin).get("last").asInt()).isEqualTo(perOrigin - 1);
            }
        }
    }
}
