package dev.qsio.it.features.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.qsio.it.support.ClientDriver;
import dev.qsio.it.support.ClusterProcess;
import dev.qsio.it.support.RawHttp;
import dev.qsio.it.support.RedisServer;

/**
 * Two hosts on one Redis: two packaged clusters (2 workers each, their own ports and node ids) with
 * {@code quarkus.socketio.bus=redis}. Every cluster-wide operation with the caller on one host and the targets on the
 * other, and a session whose requests go to both hosts.
 */
class MultiHostIT {

    static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar");
    static RedisServer redis;
    static ClusterProcess hostA;
    static ClusterProcess hostB;
    ClientDriver driver;
    /** Client ids by server ("host-a/1"), then by transport. */
    Map<String, Map<String, List<String>>> placed;

    static Map<String, String> hostProperties(String node, RedisServer redis) {
        return Map.of("quarkus.socketio.bus", "redis", "quarkus.socketio.redis.url", redis.url(),
                "quarkus.socketio.cluster.node-id", node);
    }

    /**
     * The hosts also accept 2.x clients (see {@link #anEio3PollingSessionIsServedWhicheverHostItsRequestsReach}), and
     * keep the server's default heartbeat: with the test application's 2 s, a polling client's PING waits behind a
     * burst of 2,000 packets per origin, and on a busy machine its PONG came late (the session closed, the client's
     * next POST answered 400 and it missed the rest of the burst).
     */
    static Map<String, String> withEio3(Map<String, String> properties) {
        Map<String, String> p = new java.util.HashMap<>(properties);
        p.put("quarkus.socketio.allow-eio3", "true");
        p.put("quarkus.socketio.ping-interval", "25s");
        p.put("quarkus.socketio.ping-timeout", "20s");
        return p;
    }

    @BeforeAll
    static void start() {
        redis = RedisServer.start("multihost");
        hostA = ClusterProcess.launch(JAR, 2, withEio3(hostProperties("host-a", redis)), "host-a");
        hostB = ClusterProcess.launch(JAR, 2, withEio3(hostProperties("host-b", redis)), "host-b");
        hostA.awaitReady(2);
        hostB.awaitReady(2);
        // four servers subscribe to the main namespace's requests
        await().atMost(Duration.ofSeconds(10)).until(() -> redis.subscribers("socket.io-request#/#") == 4);
    }

    @AfterAll
    static void stop() {
        hostA.close();
        hostB.close();
        redis.close();
    }

    @BeforeEach
    void clients() {
        driver = ClientDriver.start();
        placed = new LinkedHashMap<>();
        // the primaries route new connections to a worker at random: sample until each server holds both transports
        for (int i = 0; i < 200 && !everyServerHoldsBothTransports(); i++) {
            String id = "c" + i;
            String transport = i % 4 < 2 ? "polling" : "websocket";
            ClusterProcess host = i % 2 == 0 ? hostA : hostB;
            driver.connect(id, host.url(), Map.of("transports", List.of(transport), "auth", Map.of("name", "client-" + i)),
                    Map.of("question", List.of("yes")));
            driver.awaitEmit(id, "welcome");
            String server = ack(id, "where").get(0).asText();
            placed.computeIfAbsent(server, w -> new LinkedHashMap<>()).computeIfAbsent(transport, t -> new ArrayList<>())
                    .add(id);
        }
        assertThat(placed.keySet()).containsExactlyInAnyOrder("host-a/1", "host-a/2", "host-b/1", "host-b/2");
        assertThat(everyServerHoldsBothTransports()).as("clients by server and transport: " + placed).isTrue();
    }

    private boolean everyServerHoldsBothTransports() {
        return placed.size() == 4
                && placed.values().stream().allMatch(m -> m.containsKey("polling") && m.containsKey("websocket"));
    }

    @AfterEach
    void close() {
        driver.close();
    }

    JsonNode ack(String id, String event, Object... args) {
        return driver.call(id, 15_000, event, args);
    }

    String on(String server, String transport) {
        return placed.get(server).get(transport).get(0);
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
    void broadcastsReachEveryServerOfBothHostsOnceWithRoomsAndExclusions() {
        String sender = on("host-a/1", "polling");
        driver.emit(sender, "everyone", Map.of("k", "v"));
        for (String id : all()) {
            driver.awaitEmit(id, "everyone");
        }
        // @OnBroadcast ran on every server of both hosts, told where the broadcast came from
        for (String server : placed.keySet()) {
            await().atMost(Duration.ofSeconds(10)).until(() -> ack(on(server, "websocket"), "everyone-origins").get(0)
                    .toString().contains("host-a/1"));
        }

        String b = on("host-b/1", "websocket");
        String c = on("host-b/2", "polling");
        String d = on("host-a/2", "websocket");
        ack(b, "join", "team");
        ack(c, "join", "team");
        ack(on("host-a/1", "websocket"), "join", "team");
        // the sender (host-b) is excluded, not the other members of its room
        driver.emit(b, "to-room", Map.of("room", "team", "text", "to the team"));
        driver.awaitEmit(c, "room-message");
        driver.awaitEmit(on("host-a/1", "websocket"), "room-message");
        driver.emit(sender, "except", "team", "not the team");
        driver.awaitEmit(d, "except");

        // no copy arrives late, and nothing reaches sockets outside the selections
        fence(sender, b);
        assertThat(all().stream().map(id -> received(id, "everyone")).toList() + " " + received(b, "room-message") + " "
                + received(d, "room-message")).isEqualTo(all().stream().map(id -> 3L).toList() + " 0 0");
        assertThat(received(b, "room-message")).isZero();
        assertThat(received(c, "room-message")).isEqualTo(1);
        assertThat(received(d, "room-message")).isZero();
        assertThat(received(b, "except") + received(c, "except")).isZero();
    }

    @Test
    void fetchSocketsSeesBothHostsAndActsOnRemoteSockets() {
        String caller = on("host-a/1", "websocket");
        String far = on("host-b/2", "polling");
        String near = on("host-a/2", "websocket");
        ack(far, "join", "lobby");
        ack(near, "join", "lobby");
        JsonNode sockets = ack(caller, "fetch-details", "lobby").get(0);
        assertThat(sockets).hasSize(2);
        for (JsonNode s : sockets) {
            assertThat(s.get("remote").asBoolean()).isTrue();
            assertThat(s.get("rooms").toString()).contains("lobby", s.get("id").asText());
            assertThat(s.get("name").asText()).startsWith("client-");
            assertThat(s.get("auth").get("name").asText()).isEqualTo(s.get("name").asText());
        }
        String farId = driver.events(far, "connect").get(0).get("sid").asText();
        assertThat(ack(caller, "remote-action", farId, "emit", "hi there").get(0).asText()).isEqualTo("emit done");
        assertThat(driver.awaitEmit(far, "direct").get("args").get(0).asText()).isEqualTo("hi there");
        ack(caller, "remote-action", farId, "join", "vip");
        await().atMost(Duration.ofSeconds(5)).until(() -> ack(caller, "fetch-details", "vip").get(0).size() == 1);
        ack(caller, "remote-action", farId, "leave", "vip");
        await().atMost(Duration.ofSeconds(5)).until(() -> ack(caller, "fetch-details", "vip").get(0).isEmpty());
        ack(caller, "remote-action", farId, "disconnect", "");
        assertThat(driver.await(far, "disconnect").get("reason").asText()).isEqualTo("io server disconnect");
    }

    @Test
    void socketsJoinLeaveAndDisconnectAcrossHosts() {
        String caller = on("host-b/1", "polling");
        List<String> members = List.of(on("host-a/1", "polling"), on("host-a/2", "websocket"), on("host-b/2", "websocket"));
        for (String m : members) {
            ack(m, "join", "one");
        }
        ack(caller, "sockets-join", "one", "two");
        await().atMost(Duration.ofSeconds(5)).until(() -> ack(caller, "fetch", "two").get(0).size() == 3);
        ack(caller, "sockets-leave", "one", "two");
        await().atMost(Duration.ofSeconds(5)).until(() -> ack(caller, "fetch", "two").get(0).isEmpty());
        driver.emit(caller, "disconnect-room", "one");
        for (String m : members) {
            assertThat(driver.await(m, "disconnect").get("reason").asText()).isEqualTo("io server disconnect");
        }
        assertThat(driver.events(caller, "disconnect")).isEmpty();
    }

    @Test
    void serverSideEmitAndServerCountSpanBothHosts() {
        String caller = on("host-a/2", "websocket");
        await().atMost(Duration.ofSeconds(5)).until(() -> ack(caller, "servers").get(0).asInt() == 4);
        JsonNode pongs = ack(caller, "ping-servers").get(0);
        assertThat(pongs).hasSize(3);
        assertThat(pongs.toString()).contains("at host-a from host-a", "at host-b from host-a")
                .doesNotContain("pong from 2 to 2 (origin worker 2) at host-a");
        driver.emit(caller, "notify-servers", "hello hosts");
        for (String server : List.of("host-a/1", "host-b/1", "host-b/2")) {
            await().atMost(Duration.ofSeconds(5)).until(() -> ack(on(server, "polling"), "notifications").get(0)
                    .toString().contains("hello hosts from worker 2"));
        }
        assertThat(ack(on("host-a/2", "polling"), "notifications").get(0).toString()).doesNotContain("hello hosts");
    }

    @Test
    void broadcastWithAcknowledgementsCollectsAnswersFromBothHosts() {
        String caller = on("host-b/2", "websocket");
        for (String server : placed.keySet()) {
            ack(on(server, "polling"), "join", "quiz");
            ack(on(server, "websocket"), "join", "quiz");
        }
        JsonNode result = ack(caller, "ask-room-timeout", "quiz", 5000).get(0);
        assertThat(result.get("answers")).as(result.toString()).hasSize(8);
        driver.connect("mute", hostA.url(), Map.of("transports", List.of("websocket")), Map.of("question", List.of("$none")));
        driver.awaitEmit("mute", "welcome");
        ack("mute", "join", "quiz");
        JsonNode timeout = ack(caller, "ask-room-timeout", "quiz", 1000).get(0);
        assertThat(timeout.get("error").asText()).contains("8 of 9 clients acknowledged");
    }

    @Test
    void broadcastsFromBothHostsArriveInOrderExactlyOnce() {
        List<String> trackers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            String id = "t" + i;
            driver.connectTracking(id, (i < 2 ? hostA : hostB).url(),
                    Map.of("transports", List.of(i % 2 == 0 ? "polling" : "websocket")), "n");
            driver.await(id, "connect");
            ack(id, "join", "order");
            trackers.add(id);
        }
        int perOrigin = 2000;
        String a = on("host-a/1", "websocket");
        String b = on("host-b/2", "polling");
        driver.emitWithAck(a, "burst-a", 60_000, "burst", "A", perOrigin, "order");
        driver.emitWithAck(b, "burst-b", 60_000, "burst", "B", perOrigin, "order");
        driver.awaitAck(a, "burst-a");
        driver.awaitAck(b, "burst-b");
        for (String id : trackers) {
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
                JsonNode r = driver.report(id).get("origins");
                // on failure: what the client got, and its connections (a session lost midway never gets the rest)
                assertThat(r.path("A").path("count").asInt() >= perOrigin && r.path("B").path("count").asInt() >= perOrigin)
                        .as(() -> "tracking of " + id + ": " + r + "; its connect/disconnect events: "
                                + driver.events(e -> id.equals(e.path("id").asText())
                                        && e.path("event").asText().matches("connect|disconnect|connect_error")))
                        .isTrue();
            });
            JsonNode r = driver.report(id).get("origins");
            for (String origin : List.of("A", "B")) {
                assertThat(r.get(origin).get("count").asInt()).as(id + " " + origin).isEqualTo(perOrigin);
                assertThat(r.get(origin).get("outOfOrder").asInt()).as(id + " " + origin).isZero();
                assertThat(r.get(origin).get("duplicates").asInt()).as(id + " " + origin).isZero();
            }
        }
    }

    @Test
    void aPollingSessionIsServedWhicheverHostItsRequestsReach() {
        // the handshake on host A, then every request alternates between the hosts, as a round-robin balancer does
        HttpResponse<String> open = RawHttp.get(hostA.url() + "/socket.io/?EIO=4&transport=polling");
        assertThat(open.statusCode()).isEqualTo(200);
        String sid = parseOpen(open.body()).get("sid").asText();
        String query = "/socket.io/?EIO=4&transport=polling&sid=" + sid;
        assertThat(RawHttp.post(hostB.url() + query, "40").body()).isEqualTo("ok");
        String connected = RawHttp.get(hostB.url() + query).body();
        assertThat(connected).startsWith("40{\"sid\":");
        assertThat(RawHttp.post(hostA.url() + query, "42[\"where\"]").body()).isEqualTo("ok");
        assertThat(RawHttp.post(hostB.url() + query, "420[\"where\"]").body()).isEqualTo("ok");
        // the welcome event and the answer, from the session's owner on host A, whichever host the GET reached; the
        // welcome may come alone (with the CONNECT, or before the answer to what host B relayed): polled until both
        StringBuilder polled = new StringBuilder(connected);
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            HttpResponse<String> poll = RawHttp.get(hostA.url() + query);
            assertThat(poll.statusCode()).as(poll.body()).isEqualTo(200);
            polled.append(poll.body());
            return polled.indexOf("430[\"host-a/") >= 0;
        });
        assertThat(polled.toString()).contains("42[\"welcome\"");
        assertThat(RawHttp.post(hostB.url() + query, "1").body()).isEqualTo("ok");
    }

    @Test
    void anEio3PollingSessionIsServedWhicheverHostItsRequestsReach() throws Exception {
        // a 2.x client's session (Engine.IO revision 3): its requests alternate between the hosts, and the host that
        // does not own it frames what it relays as the client's revision requires
        String open = RawHttp.get(hostA.url() + "/socket.io/?EIO=3&transport=polling").body();
        List<Object> first = Eio3Payloads.decode(open.getBytes(java.nio.charset.StandardCharsets.UTF_8), false);
        String sid = parseOpen((String) first.get(0)).get("sid").asText();
        String query = "/socket.io/?EIO=3&transport=polling&sid=" + sid;
        List<Object> seen = new ArrayList<>(first.subList(1, first.size()));
        // the client's ping through host B, the pong through host A's GET, with the main namespace's CONNECT and the
        // welcome event (protocol 4: joined without asking)
        assertThat(RawHttp.post(hostB.url() + query, "1:2").body()).isEqualTo("ok");
        // (a new polling session of a cluster reaches the application after a short delay: CONNECT may come later)
        seen.addAll(Eio3Payloads.pollUntil(hostA.url() + query, got -> got.contains("3")
                && (seen.contains("40") || got.contains("40"))
                && got.stream().anyMatch(p -> p instanceof String t && t.startsWith("42[\"welcome\""))));
        assertThat(seen).contains("40", "3");
        assertThat(seen.stream().filter(p -> p instanceof String t && t.startsWith("42[\"welcome\"")).count()).isEqualTo(1);
        // an event with a binary attachment as a binary payload through host B, its binary answer read on host B
        byte[] body = Eio3Payloads.binaryPayload("451-0[\"reverse\",{\"_placeholder\":true,\"num\":0}]",
                new byte[] { 4, 1, 2, 3 });
        assertThat(Eio3Payloads.postBinary(hostB.url() + query, body)).isEqualTo(200);
        List<Object> answer = Eio3Payloads.pollUntil(hostB.url() + query, got -> got.stream().anyMatch(p -> p instanceof byte[]));
        int header = answer.indexOf("461-0[{\"_placeholder\":true,\"num\":0}]");
        assertThat(header).as("the acknowledgement in %s", answer).isGreaterThanOrEqualTo(0);
        assertThat((byte[]) answer.get(header + 1)).containsExactly(4, 3, 2, 1);
        assertThat(RawHttp.post(hostB.url() + query, "1:1").body()).isEqualTo("ok");
    }

    private static JsonNode parseOpen(String body) {
        try {
            return ClientDriver.JSON.readTree(body.substring(1));
        } catch (java.io.IOException e) {
            throw new AssertionError("not an open packet: " + body, e);
        }
    }
}
