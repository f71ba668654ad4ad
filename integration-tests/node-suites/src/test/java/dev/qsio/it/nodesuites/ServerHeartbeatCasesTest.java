package dev.qsio.it.nodesuites;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.qsio.ClusterInfo;
import dev.qsio.EngineIoSocket;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketConnectOptions;

/**
 * {@code engine.io/test/server.js} with a short heartbeat (Node's cases set {@code pingInterval} and
 * {@code pingTimeout} to tens of milliseconds; here 500 and 400 ms, which a loaded machine keeps), a short
 * {@code upgradeTimeout} (300 ms), Node's {@code cookie: true} (the sticky cookie named {@code io}),
 * {@code httpCompression: false} and {@code cors: {origin: true, headers: ["my-header"], credentials: true}}: one
 * application for the cases of these settings.
 */
@QuarkusTest
@TestProfile(ServerHeartbeatCasesTest.ShortHeartbeat.class)
@NodeFile("engine.io/test/server.js")
class ServerHeartbeatCasesTest extends ServerCases {

    static final long PING_INTERVAL = 500;
    static final long PING_TIMEOUT = 400;

    public static class ShortHeartbeat implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.socketio.ping-interval", PING_INTERVAL + "ms",
                    "quarkus.socketio.ping-timeout", PING_TIMEOUT + "ms",
                    // shorter than the client's wait for a packet (ping interval and timeout), which a stalled upgrade leaves
                    // without any
                    "quarkus.socketio.upgrade-timeout", "300ms",
                    "quarkus.socketio.cluster.sticky.enabled", "true",
                    "quarkus.socketio.cluster.sticky.cookie-name", "io",
                    "quarkus.socketio.http-compression.enabled", "false",
                    // Node's cors: {origin: true, headers: ["my-header"], credentials: true}, its default methods
                    "quarkus.socketio.cors.origins", "*",
                    "quarkus.socketio.cors.allowed-headers", "my-header",
                    "quarkus.socketio.cors.methods", "GET,HEAD,PUT,PATCH,POST,DELETE");
        }
    }

    static final Map<String, Object> POLLING = Map.of("transports", List.of("polling"));

    @Inject
    ClusterInfo cluster;

    @Inject
    Vertx vertx;

    // handshake

    /**
     * Node's cookie holds the session id; here the sticky cookie names the node (a deliberate difference,
     * coming-from-node.adoc), with Node's attributes.
     */
    @Test
    @NodeCase("server > handshake > should send the io cookie")
    void theHandshakeSetsTheIoCookie() throws Exception {
        assertThat(rawHandshake().headers().allValues("set-cookie"))
                .containsExactly("io=" + cluster.nodeId() + "; Path=/; HttpOnly; SameSite=Lax");
    }

    @Test
    @NodeCase("server > handshake > should send the io cookie with httpOnly=true")
    void theIoCookieIsHttpOnlyByDefault() throws Exception {
        assertThat(rawHandshake().headers().firstValue("set-cookie").orElseThrow()).contains("; HttpOnly");
    }

    @Test
    @NodeCase("server > handshake > should allow custom ping timeouts")
    void theHandshakeSaysThePingTimeout() {
        String id = start(POLLING);
        assertThat(driver.await(id, "handshake").path("data").path("pingTimeout").asLong()).isEqualTo(PING_TIMEOUT);
    }

    // close

    static final Map<String, Object> WEBSOCKET = Map.of("transports", List.of("websocket"));

    String clientCloseReason(String id) {
        return driver.await(id, "close").path("reason").asText();
    }

    @Test
    @NodeCase("server > close > should trigger on server if the client does not pong")
    void aClientThatDoesNotPongIsTimedOut() {
        Client client = open(POLLING);
        command("eio.mute", client.id());
        assertThat(closeReason(client.sid())).isEqualTo("ping timeout");
    }

    /**
     * The session ends although its close packet never goes out. Node's ends with {@code "ping timeout"} (its heartbeat
     * ends it); here the server's close waits the ping timeout for a poll, then ends the session with the reason it
     * was closed for (a deliberate difference, node-suites.adoc).
     */
    @Test
    @NodeCase("server > close > should trigger on server even when there is no outstanding polling request (GH-198)")
    void aSessionClosedWhileNoPollWaitsEndsWhenItsClientIsGone() throws Exception {
        // the client is gone right after its handshake: it never polls again
        String sid = sidOf(rawHandshake());
        socket(sid).close();
        assertThat(closeReason(sid)).isEqualTo("forced close");
        assertThat(SOCKETS.get(sid).isOpen()).isFalse();
    }

    @Test
    @NodeCase("server > close > should trigger on client if server does not meet ping timeout")
    void aClientThatHearsNoPingTimesOut() {
        Client client = open(POLLING);
        command("eio.deafen", client.id());
        assertThat(clientCloseReason(client.id())).isEqualTo("ping timeout");
    }

    @Test
    @NodeCase("server > close > should trigger on both ends upon ping timeout")
    void bothEndsTimeOutWhenNothingGoesThrough() {
        Client client = open(POLLING);
        socket(client.sid());
        // deaf first, as Node's case removes the transport's listeners before anything else can happen: the server,
        // timing out first, closes the poll with a close packet, which a client still listening takes for a
        // "transport close" (seen once on a busy machine, mute sent first: the deafening came 400 ms late); a deaf
        // client answers no more pings, so it is mute as well
        command("eio.deafen", client.id());
        command("eio.mute", client.id());
        assertThat(clientCloseReason(client.id())).isEqualTo("ping timeout");
        assertThat(closeReason(client.sid())).isEqualTo("ping timeout");
    }

    @Test
    @NodeCase("server > close > should not trigger early with connection `ping timeout`")
    void aClientThatReadsNothingAfterTheHandshakeWaitsPingIntervalAndTimeout() {
        String id = start(Map.of("transports", List.of("polling"), "$deafAfterHandshake", true));
        driver.await(id, "handshake");
        long from = System.nanoTime();
        // its own timer ("ping timeout") or the server's, whose pings it does not answer (the close packet): whichever
        // comes first, not before the ping interval and timeout
        assertThat(clientCloseReason(id)).isIn("ping timeout", "transport close");
        assertThat(Duration.ofNanos(System.nanoTime() - from).toMillis())
                .isGreaterThanOrEqualTo(PING_INTERVAL + PING_TIMEOUT - 100);
    }

    @Test
    @NodeCase("server > close > should not trigger early with connection `ping timeout` (2)")
    void aClientThatDoesNotPongIsTimedOutAfterPingIntervalAndTimeout() {
        Client client = open(POLLING);
        command("eio.mute", client.id());
        long from = System.nanoTime();
        assertThat(closeReason(client.sid())).isEqualTo("ping timeout");
        assertThat(Duration.ofNanos(System.nanoTime() - from).toMillis())
                .isGreaterThanOrEqualTo(PING_INTERVAL + PING_TIMEOUT - 100);
    }

    @Test
    @NodeCase("server > close > should trigger early with connection `transport close`")
    void aSessionClosedAfterAPingEndsTheClientAtOnce() {
        Client client = open(POLLING);
        listen(socket(client.sid()));
        await().atMost(Duration.ofSeconds(10)).until(() -> events(client.sid()).contains("packetCreate ping"));
        long from = System.nanoTime();
        SOCKETS.get(client.sid()).close();
        assertThat(clientCloseReason(client.id())).isEqualTo("transport close");
        assertThat(Duration.ofNanos(System.nanoTime() - from).toMillis()).isLessThan(PING_INTERVAL + PING_TIMEOUT);
    }

    @Test
    @NodeCase("server > close > should trigger with connection `ping timeout` (2)")
    void aClientThatStopsReadingTimesOutAfterPingIntervalAndTimeout() {
        Client client = open(POLLING);
        listen(socket(client.sid()));
        await().atMost(Duration.ofSeconds(10)).until(() -> events(client.sid()).contains("packetCreate ping"));
        command("eio.deafen", client.id());
        // the client waits the ping interval and the ping timeout after the last ping it read (the first, or one
        // after it when the command came late), not the ping timeout alone
        assertThat(clientCloseReason(client.id())).isEqualTo("ping timeout");
        assertThat(Duration.ofNanos(System.nanoTime() - FIRST_PING.get(client.sid())).toMillis())
                .isGreaterThanOrEqualTo(PING_INTERVAL + PING_TIMEOUT - 100);
    }

    @Test
    @NodeCase("server > close > should close transport upon ping timeout (ws)")
    void aSilentWebSocketClientIsClosed() {
        Client client = open(WEBSOCKET);
        socket(client.sid());
        command("eio.mute", client.id());
        assertThat(closeReason(client.sid())).isEqualTo("ping timeout");
        // the server closed the WebSocket
        assertThat(clientCloseReason(client.id())).isEqualTo("transport close");
    }

    @Test
    @NodeCase("server > close > should close transport upon ping timeout (polling)")
    void aSilentPollingClientsPollIsEnded() {
        Client client = open(POLLING);
        socket(client.sid());
        command("eio.mute", client.id());
        assertThat(closeReason(client.sid())).isEqualTo("ping timeout");
        // its waiting poll is answered: the client learns that the session is over
        assertThat(clientCloseReason(client.id())).isEqualTo("transport close");
    }

    @Test
    @NodeCase("server > close > should close upgrading transport upon upgrade timeout")
    void aWebSocketThatDoesNotCompleteTheUpgradeIsClosed() {
        // the client's upgrade packet is never sent: the upgrade times out on the server
        Client client = open(Map.of("$stallUpgrade", true));
        driver.await(client.id(), "upgrade");
        long from = System.nanoTime();
        // the server closes the WebSocket, which the client had taken for its transport
        assertThat(clientCloseReason(client.id())).isEqualTo("transport close");
        assertThat(Duration.ofNanos(System.nanoTime() - from).toMillis()).isLessThan(PING_INTERVAL + PING_TIMEOUT);
        assertThat(SOCKETS.get(client.sid()).transport()).isEqualTo("polling");
    }

    @Test
    @NodeCase("server > close > should not timeout after an upgrade")
    void anUpgradedSessionKeepsItsHeartbeat() {
        Client client = open(Map.of());
        driver.await(client.id(), "upgrade");
        await().during(Duration.ofMillis(3 * (PING_INTERVAL + PING_TIMEOUT))).atMost(Duration.ofSeconds(10))
                .until(() -> driver.events(client.id(), "close").isEmpty() && !CLOSED.containsKey(client.sid()));
        assertThat(socket(client.sid()).transport()).isEqualTo("websocket");
    }

    // messages

    @Test
    @NodeCase("server > messages > should interleave with pongs if many messages buffered")
    void aHundredLargeMessagesAtOnceLeaveTheHeartbeatAlone() {
        Client client = open(WEBSOCKET);
        EngineIoSocket socket = socket(client.sid());
        String payload = "a".repeat(256 * 256 - 1);
        for (int i = 0; i < 100; i++) {
            socket.send(payload + "|message: " + i);
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> driver.events(client.id(), "message").size() == 100);
        assertThat(driver.events(client.id(), "close")).isEmpty();
        assertThat(SOCKETS.get(client.sid()).isOpen()).isTrue();
    }

    // packet, packetCreate

    @Test
    @NodeCase("server > packet > should emit when receives pong")
    void theListenerSeesThePong() {
        Client client = open(POLLING);
        listen(socket(client.sid()));
        await().atMost(Duration.ofSeconds(10)).until(() -> events(client.sid()).contains("packet pong"));
    }

    @Test
    @NodeCase("server > packetCreate > should emit before send pong")
    void theListenerSeesThePing() {
        Client client = open(POLLING);
        listen(socket(client.sid()));
        await().atMost(Duration.ofSeconds(10)).until(() -> events(client.sid()).contains("packetCreate ping"));
    }

    // response headers (Node's initial_headers and headers: ServerCases.HeaderRoutes), with the io cookie

    @Test
    @NodeCase("server > response headers > should emit a 'initial_headers' event (polling)")
    void theHandshakeRoutesHeadersGoOnTheHandshakeOnly() throws Exception {
        HttpResponse<byte[]> open = rawGet("EIO=4&transport=polling&hdr=initial");
        assertThat(open.statusCode()).isEqualTo(200);
        assertThat(open.headers().firstValue("test")).hasValue("123");
        assertThat(open.headers().allValues("set-cookie")).containsExactlyInAnyOrder("mycookie=456",
                "io=" + cluster.nodeId() + "; Path=/; HttpOnly; SameSite=Lax");
        String sid = sidOf(open);
        io.restassured.response.Response post = io.restassured.RestAssured.given().body("40")
                .when().post(url(PATH) + "?EIO=4&transport=polling&hdr=initial&sid=" + sid);
        assertThat(post.statusCode()).isEqualTo(200);
        assertThat(post.header("test")).isNull();
        assertThat(post.headers().getValues("set-cookie")).isEmpty();
    }

    @Test
    @NodeCase("server > response headers > should emit a 'headers' event (polling)")
    void theRoutesHeadersGoOnEveryAnswer() throws Exception {
        HttpResponse<byte[]> open = rawGet("EIO=4&transport=polling&hdr=all");
        assertThat(open.headers().firstValue("test")).hasValue("123");
        assertThat(open.headers().allValues("set-cookie")).hasSize(2).contains("mycookie=456");
        String sid = sidOf(open);
        io.restassured.response.Response post = io.restassured.RestAssured.given().body("40")
                .when().post(url(PATH) + "?EIO=4&transport=polling&hdr=all&sid=" + sid);
        assertThat(post.statusCode()).isEqualTo(200);
        assertThat(post.headers().getValues("set-cookie")).containsExactly("mycookie=456");
    }

    @Test
    @NodeCase("server > response headers > should emit a 'initial_headers' event (websocket)")
    void theHandshakeRoutesHeadersGoOnTheWebSocketsUpgrade() throws Exception {
        WebSocketConnectOptions options = new WebSocketConnectOptions().setHost(root.getHost()).setPort(root.getPort())
                .setURI(PATH + "?EIO=4&transport=websocket&hdr=initial").setAllowOriginHeader(false);
        // the headers of the upgrade's answer, readable only as the WebSocket opens
        io.vertx.core.MultiMap headers = io.vertx.core.MultiMap.caseInsensitiveMultiMap();
        WebSocket ws = vertx.createWebSocketClient().connect(options).map(w -> {
            headers.addAll(w.headers());
            return w;
        }).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        try {
            assertThat(headers.get("test")).isEqualTo("123");
            assertThat(headers.getAll("set-cookie")).contains("mycookie=456");
        } finally {
            ws.close();
        }
    }

    // cors

    @Test
    @NodeCase("server > cors > should allow CORS from the current origin (preflight request)")
    void aPreflightFromAnyOriginIsAllowed() {
        io.restassured.response.Response res = io.restassured.RestAssured.given().header("Origin", "http://engine.io")
                .when().options(url(PATH) + "?EIO=4&transport=polling");
        assertThat(res.statusCode()).isEqualTo(204);
        assertThat(res.asString()).isEmpty();
        assertThat(res.header("Access-Control-Allow-Origin")).isEqualTo("http://engine.io");
        assertThat(res.header("Access-Control-Allow-Methods")).isEqualTo("GET,HEAD,PUT,PATCH,POST,DELETE");
        assertThat(res.header("Access-Control-Allow-Headers")).isEqualTo("my-header");
        assertThat(res.header("Access-Control-Allow-Credentials")).isEqualTo("true");
    }

    @Test
    @NodeCase("server > cors > should allow CORS from the current origin (actual request)")
    void aHandshakeFromAnyOriginIsAllowed() {
        io.restassured.response.Response res = io.restassured.RestAssured.given().header("Origin", "http://engine.io")
                .when().get(url(PATH) + "?EIO=4&transport=polling");
        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.header("Access-Control-Allow-Origin")).isEqualTo("http://engine.io");
        assertThat(res.header("Access-Control-Allow-Methods")).isNull();
        assertThat(res.header("Access-Control-Allow-Headers")).isNull();
        assertThat(res.header("Access-Control-Allow-Credentials")).isEqualTo("true");
    }

    @Test
    @NodeCase("server > cors > should work with CORS enabled")
    void aClientExchangesMessagesWithCorsOn() {
        Client client = open(Map.of("transports", List.of("polling"), "query", Map.of("echo", "1")));
        driver.engineSend(client.id(), "holà");
        assertThat(driver.await(client.id(), "message").path("data").asText()).isEqualTo("holà");
        assertThat(RECEIVED.get(client.sid())).containsExactly("holà");
    }

    // http compression

    @Test
    @NodeCase("server > http compression > should disable compression")
    void noPollingResponseIsCompressed() throws Exception {
        String sid = sidOf(rawHandshake());
        socket(sid).send(bytes(1024));
        HttpResponse<byte[]> res = rawGet("EIO=4&transport=polling&sid=" + sid, "Accept-Encoding", "gzip, deflate");
        assertThat(res.headers().firstValue("content-encoding")).isEmpty();
        assertThat(new String(res.body(), java.nio.charset.StandardCharsets.UTF_8)).startsWith("b");
    }
}
