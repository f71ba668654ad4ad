package dev.qsio.it.nodesuites;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.GZIPInputStream;
import java.util.zip.InflaterInputStream;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.qsio.ConnectionError;
import dev.qsio.EngineIoSocket;
import dev.qsio.HandshakeFilter;
import dev.qsio.HandshakeRequest;
import dev.qsio.it.support.FrameSocket;
import dev.qsio.it.support.RawWebSocket;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocketConnectOptions;

/**
 * {@code engine.io/test/server.js}, on the application's default settings: Node's {@code engine} is the raw Engine.IO
 * endpoint of {@link ServerCases}, driven by the official {@code engine.io-client}, or by raw HTTP and WebSocket where
 * Node's case speaks raw. Node's server options that only keep a client on polling ({@code allowUpgrades: false}) are
 * the client's options here ({@code transports}, {@code upgrade: false}); the cases that need other settings of the
 * server are in the classes of their profile.
 */
@QuarkusTest
@NodeFile("engine.io/test/server.js")
class ServerCasesTest extends ServerCases {

    /** Node's {@code allowRequest} of the file's cases: refuses the handshakes with {@code refuse=thou}. */
    @Singleton
    static class AllowRequest implements HandshakeFilter {
        @Override
        public Decision check(HandshakeRequest request) {
            return "thou".equals(request.queryParam("refuse")) ? Decision.refuse("Thou shall not pass")
                    : Decision.allow();
        }
    }

    @Inject
    Vertx vertx;

    static final Map<String, Object> POLLING = Map.of("transports", List.of("polling"));
    static final Map<String, Object> WEBSOCKET = Map.of("transports", List.of("websocket"));

    Response get(String query) {
        return given().when().get(url(PATH) + "?" + query);
    }

    static void assertRefusal(Response res, int status, int code, String message) {
        assertThat(res.statusCode()).isEqualTo(status);
        assertThat(res.jsonPath().getInt("code")).isEqualTo(code);
        assertThat(res.jsonPath().getString("message")).isEqualTo(message);
    }

    /** Node's {@code connection_error} of a request: the refusal the engine told the observers of. */
    static ConnectionError refusal(String part) {
        await().atMost(Duration.ofSeconds(10)).until(() -> !refusedWith(part).isEmpty());
        return refusedWith(part).get(0);
    }

    String unique() {
        return Long.toString(System.nanoTime());
    }

    // verification

    @Test
    @NodeCase("server > verification > should disallow non-existent transports")
    void anUnknownTransportIsRefused() {
        String rid = unique();
        assertRefusal(get("transport=tobi&EIO=4&rid=" + rid), 400, 0, "Transport unknown");
        ConnectionError error = refusal("rid=" + rid);
        assertThat(error.code()).isZero();
        assertThat(error.message()).isEqualTo("Transport unknown");
        assertThat(error.path()).contains("transport=tobi");
    }

    @Test
    @NodeCase("server > verification > should disallow `constructor` as transports")
    void constructorIsNoTransport() {
        String rid = unique();
        assertRefusal(get("transport=constructor&EIO=4&rid=" + rid), 400, 0, "Transport unknown");
        assertThat(refusal("rid=" + rid).path()).contains("transport=constructor");
    }

    @Test
    @NodeCase("server > verification > should disallow non-existent sids")
    void anUnknownSessionIsRefused() {
        String rid = unique();
        assertRefusal(get("transport=polling&EIO=4&sid=test&rid=" + rid), 400, 1, "Session ID unknown");
        ConnectionError error = refusal("rid=" + rid);
        assertThat(error.code()).isEqualTo(1);
        assertThat(error.path()).contains("sid=test");
    }

    @Test
    @NodeCase("server > verification > should disallow requests that are rejected by `allowRequest`")
    void aHandshakeTheFilterRefusesGetsItsMessage() {
        String rid = unique();
        assertRefusal(get("transport=polling&EIO=4&refuse=thou&rid=" + rid), 403, 4, "Thou shall not pass");
        ConnectionError error = refusal("rid=" + rid);
        assertThat(error.code()).isEqualTo(4);
        assertThat(error.status()).isEqualTo(403);
        assertThat(error.message()).isEqualTo("Thou shall not pass");
    }

    @Test
    @NodeCase("server > verification > should disallow connection that are rejected by `allowRequest` (ws)")
    void aWebSocketTheFilterRefusesFailsOnTheClient() {
        String id = start(Map.of("transports", List.of("websocket"), "query", Map.of("refuse", "thou")));
        assertThat(driver.await(id, "error").path("message").asText()).isEqualTo("websocket error");
        assertThat(driver.events(id, "open")).isEmpty();
    }

    /**
     * Sends an upgrade request and, in the same write, bytes that are no WebSocket frame ({@code t}: the three reserved
     * bits set); what the server answered until it ended the connection.
     */
    String upgradeWithGarbage(String query) throws Exception {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(root.getHost(), root.getPort()), 5000);
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(("GET " + PATH + "?" + query + " HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade\r\n"
                    + "Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: DXR4dX615eRds8nRmlhqtw==\r\n"
                    + "\r\ntest").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            // read until the server ends the connection: it must, as "test" is no frame it can take
            InputStream in = s.getInputStream();
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            byte[] buf = new byte[4096];
            int n;
            while ((n = in.read(buf)) >= 0) {
                answer.write(buf, 0, n);
            }
            return answer.toString(StandardCharsets.ISO_8859_1);
        }
    }

    /** Whether a session that a request with {@code rid} opened is still open. */
    static boolean openWith(String rid) {
        return SOCKETS.values().stream().anyMatch(s -> rid.equals(s.request().queryParam("rid")) && s.isOpen());
    }

    @Test
    @NodeCase("server > verification > should not throw when the client sends invalid data during the handshake (ws only)")
    void garbageAfterAWebSocketHandshakeEndsThatConnectionOnly() throws Exception {
        String rid = unique();
        upgradeWithGarbage("EIO=4&transport=websocket&rid=" + rid);
        // the connection ended, no session of it stays, and the server goes on
        await().atMost(Duration.ofSeconds(10)).until(() -> !openWith(rid));
        Client client = open(WEBSOCKET);
        assertThat(socket(client.sid()).isOpen()).isTrue();
    }

    @Test
    @NodeCase("server > verification > should not throw when the client sends invalid data during the handshake (upgrade)")
    void garbageOnAnUpgradeLeavesThePollingSessionAsItWas() throws Exception {
        String sid = handshakeAt(PATH);
        upgradeWithGarbage("EIO=4&transport=websocket&sid=" + sid);
        // the session stays on polling and goes on
        push(PATH, sid, "4hello");
        await().atMost(Duration.ofSeconds(10)).until(() -> RECEIVED.get(sid).contains("hello"));
        assertThat(SOCKETS.get(sid).isOpen()).isTrue();
        assertThat(SOCKETS.get(sid).transport()).isEqualTo("polling");
    }

    @Test
    @NodeCase("server > verification > should prevent the client from upgrading twice")
    void aSecondWebSocketForAnUpgradedSessionIsClosed() {
        Client client = open(Map.of("query", Map.of("echo", "1")));
        driver.await(client.id(), "upgrade");
        try (RawWebSocket second = RawWebSocket.open(url(PATH).replaceFirst("^http", "ws")
                + "?EIO=4&transport=websocket&sid=" + client.sid())) {
            assertThat(second.awaitClosed(Duration.ofSeconds(10))).isTrue();
        }
        // the session goes on, on its WebSocket
        driver.engineSend(client.id(), "still here");
        assertThat(driver.await(client.id(), "message").path("data").asText()).isEqualTo("still here");
        assertThat(socket(client.sid()).transport()).isEqualTo("websocket");
    }

    @Test
    @NodeCase("server > verification > should disallow `__proto__` as transport (polling)")
    void protoIsNoPollingTransport() {
        String rid = unique();
        assertRefusal(get("transport=__proto__&EIO=4&rid=" + rid), 400, 0, "Transport unknown");
        assertThat(refusal("rid=" + rid).code()).isZero();
    }

    @Test
    @NodeCase("server > verification > should disallow `__proto__` as transport (websocket)")
    void protoIsNoWebSocketTransport() throws Exception {
        String rid = unique();
        WebSocketConnectOptions options = new WebSocketConnectOptions().setHost(root.getHost()).setPort(root.getPort())
                .setURI(PATH + "?EIO=4&transport=__proto__&rid=" + rid).setAllowOriginHeader(false);
        Throwable failure = null;
        try {
            vertx.createWebSocketClient().connect(options).toCompletionStage().toCompletableFuture()
                    .get(10, TimeUnit.SECONDS).close();
        } catch (java.util.concurrent.ExecutionException e) {
            failure = e.getCause();
        }
        assertThat(failure).isInstanceOf(UpgradeRejectedException.class);
        assertThat(((UpgradeRejectedException) failure).getStatus()).isEqualTo(400);
        assertThat(refusal("rid=" + rid).code()).isZero();
    }

    // handshake

    /** Node's {@code eioHandshake} at a path: opens a polling session; its sid. */
    String handshakeAt(String path) throws Exception {
        String body = given().queryParam("EIO", 4).queryParam("transport", "polling")
                .when().get(url(path)).then().statusCode(200).extract().asString();
        assertThat(body).startsWith("0");
        return new ObjectMapper().readTree(body.substring(1)).path("sid").asText();
    }

    /** Node's {@code eioPush} at a path. */
    void push(String path, String sid, String payload) {
        given().queryParam("EIO", 4).queryParam("transport", "polling").queryParam("sid", sid).body(payload)
                .when().post(url(path)).then().statusCode(200);
    }

    @Test
    @NodeCase("server > handshake > should register a new client")
    void theEndpointHasTheClientsSession() {
        Client client = open(POLLING);
        assertThat(socket(client.sid()).id()).isEqualTo(client.sid());
        assertThat(SOCKETS.get(client.sid()).isOpen()).isTrue();
    }

    @Test
    @NodeCase("server > handshake > should exchange handshake data")
    void theHandshakeSaysTheSessionsSettings() {
        String id = start(POLLING);
        JsonNode data = driver.await(id, "handshake").path("data");
        assertThat(data.path("sid").isTextual()).isTrue();
        assertThat(data.path("pingTimeout").isNumber()).isTrue();
        assertThat(data.path("upgrades").isArray()).isTrue();
        assertThat(data.path("maxPayload").asLong()).isEqualTo(1_000_000);
    }

    @Test
    @NodeCase("server > handshake > should trigger a connection event with a Socket")
    void theEndpointIsGivenTheSession() {
        Client client = open(POLLING);
        assertThat(socket(client.sid())).isNotNull();
        assertThat(OPENED_ON.get(client.sid())).isNotNull();
    }

    @Test
    @NodeCase("server > handshake > should open with polling by default")
    void aSessionOpensOnPollingByDefault() {
        Client client = open(Map.of("upgrade", false));
        socket(client.sid());
        assertThat(OPENED_ON.get(client.sid())).isEqualTo("polling");
    }

    @Test
    @NodeCase("server > handshake > should be able to open with ws directly")
    void aSessionOpensOnWebSocket() {
        Client client = open(WEBSOCKET);
        socket(client.sid());
        assertThat(OPENED_ON.get(client.sid())).isEqualTo("websocket");
    }

    @Test
    @NodeCase("server > handshake > should not suggest any upgrades for websocket")
    void aWebSocketHandshakeOffersNoUpgrade() {
        String id = start(WEBSOCKET);
        assertThat(driver.await(id, "handshake").path("data").path("upgrades")).isEmpty();
    }

    @Test
    @NodeCase("server > handshake > should suggest all upgrades when no transports are disabled")
    void aPollingHandshakeOffersWebSocket() {
        String id = start(Map.of());
        JsonNode upgrades = driver.await(id, "handshake").path("data").path("upgrades");
        assertThat(upgrades).hasSize(1);
        assertThat(upgrades.get(0).asText()).isEqualTo("websocket");
    }

    @Test
    @NodeCase("server > handshake > default to polling when proxy doesn't support websocket")
    void aWebSocketRequestWithoutUpgradeLeavesThePollingSessionAsItWas() {
        Client client = open(Map.of("upgrade", false, "query", Map.of("echo", "1")));
        String rid = unique();
        Response res = given().header("Connection", "close")
                .when().get(url(PATH) + "?EIO=4&transport=websocket&sid=" + client.sid() + "&rid=" + rid);
        assertRefusal(res, 400, 3, "Bad request");
        assertThat(refusal("rid=" + rid).code()).isEqualTo(3);
        driver.engineSend(client.id(), "echo");
        assertThat(driver.await(client.id(), "message").path("data").asText()).isEqualTo("echo");
    }

    @Test
    @NodeCase("server > handshake > should allow arbitrary data through query string")
    void theQueryOfTheClientsOptionsReachesTheSession() {
        Client client = open(Map.of("upgrade", false, "query", Map.of("a", "b")));
        HandshakeRequest request = socket(client.sid()).request();
        assertThat(request.query()).containsKeys("transport", "a");
        assertThat(request.queryParam("a")).isEqualTo("b");
    }

    @Test
    @NodeCase("server > handshake > should allow data through query string in uri")
    void theQueryOfTheUrlReachesTheSession() {
        String id = "u" + unique();
        driver.engineOpen(id, url("/") + "?a=b&c=d", Map.of("path", PATH, "upgrade", false));
        String sid = driver.await(id, "open").path("sid").asText();
        HandshakeRequest request = socket(sid).request();
        assertThat(request.queryParam("EIO")).isEqualTo("4");
        assertThat(request.queryParam("a")).isEqualTo("b");
        assertThat(request.queryParam("c")).isEqualTo("d");
    }

    @Test
    @NodeCase("server > handshake > should disallow bad requests (handshake error)")
    void aWebSocketHandshakeWithoutUpgradeIsABadRequestWithCorsHeaders() {
        String rid = unique();
        // an origin of the module's CORS settings (application.properties), as Node's case sets its own
        Response res = given().header("Origin", "http://localhost:54023")
                .when().get(url(PATH) + "?EIO=4&transport=websocket&rid=" + rid);
        assertRefusal(res, 400, 3, "Bad request");
        assertThat(res.header("Access-Control-Allow-Credentials")).isEqualTo("true");
        assertThat(res.header("Access-Control-Allow-Origin")).isEqualTo("http://localhost:54023");
        assertThat(refusal("rid=" + rid).code()).isEqualTo(3);
    }

    /**
     * Node's case puts a line feed in the origin after its HTTP parser read the request (through the server's
     * {@code prepare}), as no client can send one; here too the HTTP server refuses a header value with a control
     * character before the engine sees it, and no session opens.
     */
    @Test
    @NodeCase("server > handshake > should disallow invalid origin header")
    void anOriginWithAControlCharacterIsABadRequest() throws Exception {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(root.getHost(), root.getPort()), 5000);
            s.setSoTimeout(10_000);
            s.getOutputStream().write(("GET " + PATH + "?EIO=4&transport=polling HTTP/1.1\r\n"
                    + "Host: localhost\r\nOrigin: http://engine.io/\u0001\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            assertThat(answer).startsWith("HTTP/1.1 400");
            assertThat(answer).doesNotContain("sid");
        }
    }

    @Test
    @NodeCase("server > handshake > should disallow invalid handshake method")
    void aHandshakeThatIsNoGetIsRefused() {
        String rid = unique();
        // OPTIONS is a CORS preflight in this module (CORS is on, as in Node with its cors option): PUT instead
        Response res = given().when().put(url(PATH) + "?EIO=4&transport=polling&rid=" + rid);
        assertRefusal(res, 400, 2, "Bad handshake method");
        ConnectionError error = refusal("rid=" + rid);
        assertThat(error.code()).isEqualTo(2);
        assertThat(error.method()).isEqualTo("PUT");
    }

    @Test
    @NodeCase("server > handshake > should disallow unsupported protocol versions")
    void protocolThreeIsRefusedByDefault() {
        String rid = unique();
        assertRefusal(get("transport=polling&EIO=3&rid=" + rid), 400, 5, "Unsupported protocol version");
        ConnectionError error = refusal("rid=" + rid);
        assertThat(error.code()).isEqualTo(5);
        assertThat(error.path()).contains("EIO=3");
    }

    @Test
    @NodeCase("server > handshake > should send a packet along with the handshake")
    void aMessageSentAsTheSessionOpensIsTheFirstTheClientReceives() {
        Client client = open(Map.of("upgrade", false, "query", Map.of("initial", "faster!")));
        assertThat(driver.await(client.id(), "message").path("data").asText()).isEqualTo("faster!");
    }

    @Test
    @NodeCase("server > handshake > should support requests without trailing slash")
    void thePathWithoutItsTrailingSlashIsServed() {
        Response res = given().when().get(url("/eio") + "?EIO=4&transport=polling");
        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.asString()).startsWith("0{\"sid\":");
        // as in Node, a path below the endpoint's is served too (its case keeps it "for backward-compatibility")
        Response below = given().when().get(url("/eio/foo/bar/") + "?EIO=4&transport=polling");
        assertThat(below.statusCode()).isEqualTo(200);
        assertThat(below.asString()).startsWith("0{\"sid\":");
    }

    @Test
    @NodeCase("server > handshake > should not send the io cookie")
    void theHandshakeSetsNoCookieByDefault() throws Exception {
        assertThat(rawHandshake().headers().firstValue("set-cookie")).isEmpty();
    }

    // close

    /** The reason of a client's {@code close} event. */
    String clientCloseReason(String id) {
        return driver.await(id, "close").path("reason").asText();
    }

    @Test
    @NodeCase("server > close > should trigger when server closes a client")
    void aPollingSessionTheServerClosesEndsOnBothSides() {
        Client client = open(Map.of("upgrade", false));
        socket(client.sid()).close();
        assertThat(closeReason(client.sid())).isEqualTo("forced close");
        assertThat(clientCloseReason(client.id())).isEqualTo("transport close");
    }

    @Test
    @NodeCase("server > close > should trigger when server closes a client (ws)")
    void aWebSocketSessionTheServerClosesEndsOnBothSides() {
        Client client = open(WEBSOCKET);
        socket(client.sid()).close();
        assertThat(closeReason(client.sid())).isEqualTo("forced close");
        assertThat(clientCloseReason(client.id())).isEqualTo("transport close");
    }

    @Test
    @NodeCase("server > close > should trigger when client closes")
    void aPollingSessionTheClientClosesEndsOnBothSides() {
        Client client = open(Map.of("upgrade", false));
        socket(client.sid());
        driver.engineClose(client.id());
        assertThat(clientCloseReason(client.id())).isEqualTo("forced close");
        assertThat(closeReason(client.sid())).isEqualTo("transport close");
    }

    @Test
    @NodeCase("server > close > should trigger when client closes (ws)")
    void aWebSocketSessionTheClientClosesEndsOnBothSides() {
        Client client = open(WEBSOCKET);
        socket(client.sid());
        driver.engineClose(client.id());
        assertThat(clientCloseReason(client.id())).isEqualTo("forced close");
        assertThat(closeReason(client.sid())).isEqualTo("transport close");
    }

    @Test
    @NodeCase("server > close > should trigger when calling socket.close() in payload")
    void aClientThatClosesOnAMessageHandlesNothingAfterIt() {
        Client client = open(Map.of("upgrade", false, "$closeOnFirstMessage", true));
        EngineIoSocket socket = socket(client.sid());
        socket.send("first");
        socket.send("this should not be handled");
        assertThat(closeReason(client.sid())).isEqualTo("transport close");
        assertThat(clientCloseReason(client.id())).isEqualTo("forced close");
        assertThat(texts(client.id())).containsExactly("first");
    }

    @Test
    @NodeCase("server > close > should abort upgrade if socket is closed (GH-35)")
    void aClientThatClosesAsItOpensEndsItsSessionWhileUpgrading() {
        Client client = open(Map.of());
        driver.engineClose(client.id());
        assertThat(closeReason(client.sid())).isEqualTo("transport close");
        // the server goes on
        assertThat(socket(open(Map.of("upgrade", false)).sid()).isOpen()).isTrue();
    }

    @Test
    @NodeCase("server > close > should abort connection when upgrade fails")
    void anUpgradeWithoutQueryIsRefused() throws Exception {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(root.getHost(), root.getPort()), 5000);
            s.setSoTimeout(10_000);
            s.getOutputStream().write(("GET " + PATH + " HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade\r\n"
                    + "Upgrade: websocket\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            String answer = new String(s.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
            assertThat(answer).isEqualTo("HTTP/1.1 400");
        }
    }

    @Test
    @NodeCase("server > close > should trigger if a poll request is ongoing and the underlying")
    void aPollWhoseConnectionDropsEndsTheSession() throws Exception {
        String sid = handshakeAt(PATH);
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(root.getHost(), root.getPort()), 5000);
            s.getOutputStream().write(("GET " + PATH + "?EIO=4&transport=polling&sid=" + sid + " HTTP/1.1\r\n"
                    + "Host: localhost\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            // a message through the session, sent after the GET: the GET is there by then, and waits
            push(PATH, sid, "4after the poll");
            await().atMost(Duration.ofSeconds(10)).until(() -> RECEIVED.get(sid).contains("after the poll"));
        }
        // the tab closed: its connection is gone with the poll
        assertThat(closeReason(sid)).isEqualTo("transport error");
    }

    /** One request on a connection of its own that asks to be closed after the answer; the answer, head and body. */
    String closingExchange(String method, String query, String body) throws Exception {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(root.getHost(), root.getPort()), 5000);
            s.setSoTimeout(10_000);
            byte[] content = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
            s.getOutputStream().write((method + " " + PATH + "?" + query + " HTTP/1.1\r\nHost: localhost\r\n"
                    + "Connection: close\r\nContent-Length: " + content.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().write(content);
            s.getOutputStream().flush();
            // the server closes the connection after its answer, as asked
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static String bodyOf(String answer) {
        assertThat(answer).startsWith("HTTP/1.1 200");
        return answer.substring(answer.indexOf("\r\n\r\n") + 4);
    }

    @Test
    @NodeCase("server > close > should not trigger with connection: close header")
    void aSessionWhoseRequestsCloseTheirConnectionsGoesOn() throws Exception {
        String open = bodyOf(closingExchange("GET", "EIO=4&transport=polling&echo=1", null));
        String sid = new ObjectMapper().readTree(open.substring(1)).path("sid").asText();
        assertThat(bodyOf(closingExchange("POST", "EIO=4&transport=polling&sid=" + sid, "4test"))).isEqualTo("ok");
        assertThat(bodyOf(closingExchange("GET", "EIO=4&transport=polling&sid=" + sid, null))).isEqualTo("4test");
        assertThat(SOCKETS.get(sid).isOpen()).isTrue();
    }

    @Test
    @NodeCase("server > close > should abort the polling data request if it is")
    void closingASessionEndsThePostItIsReading() throws Exception {
        String sid = handshakeAt(PATH);
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(root.getHost(), root.getPort()), 5000);
            s.setSoTimeout(5_000);
            // a POST whose body is still on its way: 5 of its 100 bytes
            s.getOutputStream().write(("POST " + PATH + "?EIO=4&transport=polling&sid=" + sid + " HTTP/1.1\r\n"
                    + "Host: localhost\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\n4test")
                    .getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            // a poll after it, answered: the POST is being read by then
            SOCKETS.get(sid).send("x");
            assertThat(pollAt(sid)).isEqualTo("4x");
            SOCKETS.get(sid).close();
            // the POST ends as the session closes, long before its body timeout (10 s): its connection is reset
            String rest;
            try {
                rest = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            } catch (java.net.SocketException reset) {
                rest = "";
            }
            assertThat(rest).doesNotContain("200 OK");
        }
        // the close packet goes out with the next poll, and the session ends
        assertThat(pollAt(sid)).isEqualTo("1");
        assertThat(closeReason(sid)).isEqualTo("forced close");
    }

    String pollAt(String sid) {
        return given().queryParam("EIO", 4).queryParam("transport", "polling").queryParam("sid", sid)
                .when().get(url(PATH)).then().statusCode(200).extract().asString();
    }

    @Test
    @NodeCase("server > close > should abort the polling data request if the content type is invalid")
    void aPostOfOctetStreamIsRefused() throws Exception {
        String sid = handshakeAt(PATH);
        given().contentType("application/octet-stream").body(new byte[] { 1, 2, 3 })
                .when().post(url(PATH) + "?EIO=4&transport=polling&sid=" + sid).then().statusCode(400);
    }

    @Test
    @NodeCase("server > close > should trigger force close before open for ws")
    void aWebSocketClientClosedBeforeItOpensSaysForcedClose() {
        String id = start(WEBSOCKET);
        driver.engineClose(id);
        assertThat(clientCloseReason(id)).isEqualTo("forced close");
        assertThat(driver.events(id, "open")).isEmpty();
    }

    @Test
    @NodeCase("server > close > should trigger force close before open for xhr")
    void aPollingClientClosedBeforeItOpensSaysForcedClose() {
        String id = start(POLLING);
        driver.engineClose(id);
        assertThat(clientCloseReason(id)).isEqualTo("forced close");
        assertThat(driver.events(id, "open")).isEmpty();
    }

    @Test
    @NodeCase("server > close > should close transport upon parse error (ws)")
    void aWebSocketFrameThatIsNoPacketEndsTheSession() {
        Client client = open(WEBSOCKET);
        socket(client.sid());
        driver.send(driver.command("eio.rawWrite", client.id()).put("data", "invalid"));
        assertThat(closeReason(client.sid())).isEqualTo("parse error");
        assertThat(clientCloseReason(client.id())).isEqualTo("transport close");
    }

    @Test
    @NodeCase("server > close > should close transport upon parse error (polling)")
    void aPostThatIsNoPayloadEndsTheSession() {
        Client client = open(POLLING);
        socket(client.sid());
        driver.send(driver.command("eio.rawWrite", client.id()).put("data", "invalid"));
        assertThat(closeReason(client.sid())).isEqualTo("parse error");
        driver.await(client.id(), "close");
    }

    @Test
    @NodeCase("server > close > should close upgrading transport upon socket close")
    void closingASessionClosesTheWebSocketItIsUpgradingTo() {
        // the client's upgrade packet is never sent: the server is left upgrading to the WebSocket
        Client client = open(Map.of("$stallUpgrade", true));
        driver.await(client.id(), "upgrade");
        EngineIoSocket socket = socket(client.sid());
        assertThat(socket.transport()).isEqualTo("polling");
        socket.close();
        assertThat(closeReason(client.sid())).isEqualTo("forced close");
        // the client, which took the WebSocket for its transport, sees it closed by the server
        assertThat(clientCloseReason(client.id())).isEqualTo("transport close");
    }

    @Test
    @NodeCase("server > close > should not discard the packets in the writeBuffer when closing gracefully")
    void whatWasSentBeforeTheCloseArrives() {
        Client client = open(Map.of());
        EngineIoSocket socket = socket(client.sid());
        socket.send("hello");
        socket.close();
        assertThat(clientCloseReason(client.id())).isEqualTo("transport close");
        assertThat(texts(client.id())).containsExactly("hello");
    }

    // messages

    /** A message of a client, as binary bytes (the driver reports binary as base64). */
    static byte[] binary(JsonNode message) {
        return Base64.getDecoder().decode(message.path("data").path("$bin").asText());
    }

    /** The texts a client receives, once it has received {@code count} messages. */
    List<String> received(String id, int count) {
        await().atMost(Duration.ofSeconds(10)).until(() -> messages(id).size() >= count);
        return texts(id);
    }

    /** Sends a, then b once a arrived, then c with a close once b arrived: the three in separate writes. */
    void sendThreeApartThenClose(Client client) {
        EngineIoSocket socket = socket(client.sid());
        socket.send("a");
        received(client.id(), 1);
        socket.send("b");
        received(client.id(), 2);
        // the last message and the close packet held together
        socket.send("c");
        socket.close();
        assertThat(clientCloseReason(client.id())).isEqualTo("transport close");
        assertThat(texts(client.id())).containsExactly("a", "b", "c");
    }

    @Test
    @NodeCase("server > messages > should arrive from server to client")
    void aMessageArrivesOnPolling() {
        Client client = open(Map.of("upgrade", false));
        socket(client.sid()).send("a");
        assertThat(received(client.id(), 1)).containsExactly("a");
    }

    @Test
    @NodeCase("server > messages > should arrive from server to client (multiple)")
    void messagesAndACloseArriveInOrderOnPolling() {
        sendThreeApartThenClose(open(Map.of("upgrade", false)));
    }

    @Test
    @NodeCase("server > messages > should arrive from server to client (ws)")
    void aMessageArrivesOnWebSocket() {
        Client client = open(WEBSOCKET);
        socket(client.sid()).send("a");
        assertThat(received(client.id(), 1)).containsExactly("a");
    }

    @Test
    @NodeCase("server > messages > should arrive from server to client (multiple, ws)")
    void messagesAndACloseArriveInOrderOnWebSocket() {
        sendThreeApartThenClose(open(WEBSOCKET));
    }

    @Test
    @NodeCase("server > messages > should arrive from server to client (multiple, no delay, ws)")
    void messagesSentWithTheCloseAtOnceArriveBeforeIt() {
        Client client = open(WEBSOCKET);
        EngineIoSocket socket = socket(client.sid());
        socket.send("a");
        socket.send("b");
        socket.send("c");
        socket.close();
        assertThat(clientCloseReason(client.id())).isEqualTo("transport close");
        assertThat(texts(client.id())).containsExactly("a", "b", "c");
    }

    /** Sends bytes to a client and returns what it received, with the kind the client had it as. */
    JsonNode binaryRoundTrip(Map<String, Object> options, Buffer data) {
        Client client = open(options);
        socket(client.sid()).send(data);
        return driver.await(client.id(), "message");
    }

    /** Five 32-bit integers, little-endian, as Node's Int32Array holds them on x86 and ARM. */
    static Buffer int32s() {
        Buffer b = Buffer.buffer();
        for (int i = 0; i < 5; i++) {
            b.appendIntLE((i + 100) * 9823);
        }
        return b;
    }

    @Test
    @NodeCase("server > messages > should arrive when binary data is sent as Int8Array (ws)")
    void bytesArriveOnWebSocket() {
        JsonNode message = binaryRoundTrip(WEBSOCKET, Buffer.buffer(new byte[] { 0, 1, 2, 3, 4 }));
        assertThat(message.path("kind").asText()).isEqualTo("Buffer");
        assertThat(binary(message)).containsExactly(0, 1, 2, 3, 4);
    }

    @Test
    @NodeCase("server > messages > should arrive when binary data is sent as Int32Array (ws)")
    void integersArriveOnWebSocket() {
        JsonNode message = binaryRoundTrip(WEBSOCKET, int32s());
        assertThat(binary(message)).isEqualTo(int32s().getBytes());
        assertThat(Buffer.buffer(binary(message)).getIntLE(16)).isEqualTo(104 * 9823);
    }

    /** Node's ArrayBuffer and typed arrays are views of bytes; a {@code Buffer} here is the bytes. */
    @Test
    @NodeCase("server > messages > should arrive when binary data is sent as Int32Array, given as ArrayBuffer(ws)")
    void theBytesOfIntegersArriveOnWebSocket() {
        Buffer bytes = Buffer.buffer(int32s().getBytes());
        JsonNode message = binaryRoundTrip(WEBSOCKET, bytes);
        assertThat(binary(message)).isEqualTo(int32s().getBytes());
    }

    @Test
    @NodeCase("server > messages > should arrive when binary data is sent as Buffer (ws)")
    void aBufferArrivesOnWebSocket() {
        JsonNode message = binaryRoundTrip(WEBSOCKET, bytes(5));
        assertThat(binary(message)).containsExactly(0, 1, 2, 3, 4);
    }

    @Test
    @NodeCase("server > messages > should arrive when binary data sent as Buffer (polling)")
    void aBufferArrivesOnPolling() {
        JsonNode message = binaryRoundTrip(POLLING, bytes(5));
        assertThat(message.path("kind").asText()).isEqualTo("Buffer");
        assertThat(binary(message)).containsExactly(0, 1, 2, 3, 4);
    }

    @Test
    @NodeCase("server > messages > should arrive as ArrayBuffer if requested when binary data sent as Buffer (ws)")
    void aBufferArrivesAsAnArrayBufferOnWebSocket() {
        JsonNode message = binaryRoundTrip(Map.of("transports", List.of("websocket"), "$binaryType", "arraybuffer"),
                bytes(5));
        assertThat(message.path("kind").asText()).isEqualTo("ArrayBuffer");
        assertThat(binary(message)).containsExactly(0, 1, 2, 3, 4);
    }

    @Test
    @NodeCase("server > messages > should arrive as ArrayBuffer if requested when binary data sent as Buffer (polling)")
    void aBufferArrivesAsAnArrayBufferOnPolling() {
        JsonNode message = binaryRoundTrip(Map.of("transports", List.of("polling"), "$binaryType", "arraybuffer"),
                bytes(5));
        assertThat(message.path("kind").asText()).isEqualTo("ArrayBuffer");
        assertThat(binary(message)).containsExactly(0, 1, 2, 3, 4);
    }

    @Test
    @NodeCase("server > messages > should arrive when content is sent with chunked transfer-encoding (polling)")
    void aChunkedPostArrives() throws Exception {
        String sid = handshakeAt(PATH);
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(root.getHost(), root.getPort()), 5000);
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(("POST " + PATH + "?EIO=4&transport=polling&sid=" + sid + " HTTP/1.1\r\nHost: localhost\r\n"
                    + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            for (String chunk : List.of("41", "2", "3")) {
                out.write((Integer.toHexString(chunk.length()) + "\r\n" + chunk + "\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
            }
            out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertThat(new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII)).startsWith("HTTP/1.1 200");
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> RECEIVED.get(sid).contains("123"));
        assertThat(RECEIVED.get(sid)).containsExactly("123");
    }

    @Test
    @NodeCase("server > messages > should trigger a flush/drain event")
    void theListenerSeesTheFlushAndTheDrain() {
        Client client = open(Map.of("upgrade", false));
        EngineIoSocket socket = listen(socket(client.sid()));
        socket.send("aaaa");
        await().atMost(Duration.ofSeconds(10)).until(() -> events(client.sid()).contains("drain 0"));
        assertThat(events(client.sid())).containsSubsequence("packetCreate message aaaa", "flush 1", "drain 0");
        assertThat(received(client.id(), 1)).containsExactly("aaaa");
    }

    @Test
    @NodeCase("server > messages > should support chinese")
    void chineseArrivesBothWays() {
        String shi = "石室詩士施氏，嗜獅，誓食十獅。";
        String shi2 = "氏時時適市視獅。";
        Client client = open(Map.of());
        EngineIoSocket socket = socket(client.sid());
        socket.send(".");
        socket.send(shi);
        socket.send(shi2);
        assertThat(received(client.id(), 3)).containsExactly(".", shi, shi2);
        driver.engineSend(client.id(), ".");
        driver.engineSend(client.id(), shi);
        driver.engineSend(client.id(), shi2);
        await().atMost(Duration.ofSeconds(10)).until(() -> RECEIVED.get(client.sid()).size() >= 3);
        assertThat(RECEIVED.get(client.sid())).containsExactly(".", shi, shi2);
    }

    // send

    /** Echo round trips, each message sent once the one before came back, as Node's client case sends them. */
    void echoesInOrder(Map<String, Object> transports) {
        Map<String, Object> options = new java.util.HashMap<>(transports);
        options.put("query", Map.of("echo", "1"));
        Client client = open(options);
        for (int j = 0; j < 3; j++) {
            driver.engineSend(client.id(), Integer.toString(j));
            assertThat(received(client.id(), j + 1).get(j)).isEqualTo(Integer.toString(j));
        }
        assertThat(RECEIVED.get(client.sid())).containsExactly("0", "1", "2");
    }

    @Test
    @NodeCase("server > send > callback > should execute in order when message sent (client) (polling)")
    void echoesComeBackInOrderOnPolling() {
        echoesInOrder(POLLING);
    }

    @Test
    @NodeCase("server > send > callback > should execute in order when message sent (client) (websocket)")
    void echoesComeBackInOrderOnWebSocket() {
        echoesInOrder(WEBSOCKET);
    }

    @Test
    @NodeCase("server > send > callback > should execute when message sent (polling)")
    void theSendCallbackRunsOnPolling() {
        Client client = open(POLLING);
        AtomicInteger called = sendWithCallbacks(socket(client.sid()), "a");
        assertThat(received(client.id(), 1)).containsExactly("a");
        await().atMost(Duration.ofSeconds(10)).until(() -> called.get() == 1);
    }

    @Test
    @NodeCase("server > send > callback > should execute when message sent (websocket)")
    void theSendCallbackRunsOnWebSocket() {
        Client client = open(WEBSOCKET);
        AtomicInteger called = sendWithCallbacks(socket(client.sid()), "a");
        assertThat(received(client.id(), 1)).containsExactly("a");
        await().atMost(Duration.ofSeconds(10)).until(() -> called.get() == 1);
    }

    @Test
    @NodeCase("server > send > callback > should execute when message sent during polling upgrade window")
    void theSendCallbackRunsDuringAnUpgrade() {
        Client client = open(Map.of("transports", List.of("polling", "websocket")));
        // the probe has been answered: the server is upgrading the session
        driver.await(client.id(), "upgrading");
        AtomicInteger called = sendWithCallbacks(socket(client.sid()), "a");
        assertThat(received(client.id(), 1)).containsExactly("a");
        await().atMost(Duration.ofSeconds(10)).until(() -> called.get() == 1);
    }

    @Test
    @NodeCase("server > send > callback > should execute once for each send")
    void eachMessageArrivesOnce() {
        Client client = open(Map.of());
        EngineIoSocket socket = socket(client.sid());
        socket.send("a");
        socket.send("b");
        socket.send("c");
        assertThat(received(client.id(), 3)).containsExactly("a", "b", "c");
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> messages(client.id()).size() == 3);
    }

    @Test
    @NodeCase("server > send > callback > should execute in multipart packet (websocket)")
    void theCallbacksOfSeveralMessagesRunOnWebSocket() {
        Client client = open(WEBSOCKET);
        AtomicInteger called = sendWithCallbacks(socket(client.sid()), "d", "c", "b", "a");
        assertThat(received(client.id(), 4)).containsExactly("d", "c", "b", "a");
        await().atMost(Duration.ofSeconds(10)).until(() -> called.get() == 4);
    }

    @Test
    @NodeCase("server > send > callback > should execute in multipart packet (polling)")
    void theCallbacksOfSeveralMessagesRunOnPolling() {
        Client client = open(POLLING);
        AtomicInteger called = sendWithCallbacks(socket(client.sid()), "d", "c", "b", "a");
        assertThat(received(client.id(), 4)).containsExactly("d", "c", "b", "a");
        await().atMost(Duration.ofSeconds(10)).until(() -> called.get() == 4);
    }

    /** A raw polling session (no poll waits) with a message waiting and its callback, closed by its client. */
    record Pending(String sid, AtomicInteger called, AtomicReference<Throwable> failed) {
    }

    Pending closedWithAMessageWaiting() throws Exception {
        String sid = handshakeAt(PATH);
        EngineIoSocket socket = socket(sid);
        socket.send("a");
        AtomicInteger called = new AtomicInteger();
        AtomicReference<Throwable> failed = new AtomicReference<>();
        socket.send("b");
        socket.drained().subscribe().with(v -> called.incrementAndGet(), failed::set);
        assertThat(socket.bufferedBytes()).isPositive();
        // the client closes the session: a close packet
        push(PATH, sid, "1");
        assertThat(closeReason(sid)).isEqualTo("transport close");
        return new Pending(sid, called, failed);
    }

    @Test
    @NodeCase("server > send > callback > should clean callback references when socket gets closed with pending callbacks")
    void nothingWaitsForASessionThatClosedWithMessagesUnsent() throws Exception {
        Pending pending = closedWithAMessageWaiting();
        await().atMost(Duration.ofSeconds(10)).until(() -> pending.failed().get() != null);
        assertThat(pending.failed().get()).isInstanceOf(IllegalStateException.class);
        assertThat(SOCKETS.get(pending.sid()).bufferedBytes()).isZero();
    }

    @Test
    @NodeCase("server > send > callback > should not execute when it is not actually sent (polling)")
    void theCallbackOfAMessageNeverSentDoesNotRun() throws Exception {
        Pending pending = closedWithAMessageWaiting();
        await().atMost(Duration.ofSeconds(10)).until(() -> pending.failed().get() != null);
        assertThat(pending.called()).hasValue(0);
    }

    // packet, packetCreate

    @Test
    @NodeCase("server > packet > should emit when socket receives packet")
    void theListenerSeesAMessageComeIn() {
        Client client = open(Map.of("upgrade", false));
        listen(socket(client.sid()));
        driver.engineSend(client.id(), "a");
        await().atMost(Duration.ofSeconds(10)).until(() -> events(client.sid()).contains("packet message a"));
    }

    @Test
    @NodeCase("server > packetCreate > should emit before socket send message")
    void theListenerSeesAMessageGoOut() {
        Client client = open(Map.of("upgrade", false));
        listen(socket(client.sid())).send("a");
        await().atMost(Duration.ofSeconds(10)).until(() -> events(client.sid()).contains("packetCreate message a"));
        assertThat(received(client.id(), 1)).containsExactly("a");
    }

    // upgrade

    @Test
    @NodeCase("server > upgrade > should upgrade")
    void messagesBothWaysSurviveTheUpgradeInOrder() {
        // each side sends 1 to 50, one every 2 ms from the open, through the upgrade; the client two more at once as it
        // starts upgrading
        Client client = open(Map.of("query", Map.of("listen", "1", "series", "50"),
                "$sendSeries", Map.of("count", 50, "interval", 2)));
        int last = driver.await(client.id(), "seriesSent").path("last").asInt();
        assertThat(received(client.id(), 50)).containsExactlyElementsOf(
                java.util.stream.IntStream.rangeClosed(1, 50).mapToObj(Integer::toString).toList());
        await().atMost(Duration.ofSeconds(10)).until(() -> RECEIVED.get(client.sid()).size() >= last);
        assertThat(RECEIVED.get(client.sid())).containsExactlyElementsOf(
                java.util.stream.IntStream.rangeClosed(1, last).mapToObj(Integer::toString).toList());
        assertThat(driver.events(client.id(), "upgrading")).hasSize(1);
        assertThat(driver.events(client.id(), "upgrade")).hasSize(1);
        assertThat(events(client.sid())).contains("upgrade websocket");
        assertThat(SOCKETS.get(client.sid()).transport()).isEqualTo("websocket");
        assertThat(OPENED_ON.get(client.sid())).isEqualTo("polling");
        driver.engineClose(client.id());
        assertThat(clientCloseReason(client.id())).isEqualTo("forced close");
        assertThat(closeReason(client.sid())).isEqualTo("transport close");
    }

    // extraHeaders

    static final Map<String, String> EXTRA_HEADERS = Map.of("x-custom-header-for-my-project", "my-secret-access-token",
            "cookie", "user_session=NI2JlCKF90aE0sJZD9ZzujtdsUqNYSBYxzlTsvdSUe35ZzdtVRGqYFr0kdGxbfc5gUOkR9RGp20GVKza; "
                    + "path=/; expires=Tue, 07-Apr-2015 18:18:08 GMT; secure; HttpOnly");

    void extraHeadersArrive(String transport) {
        Client client = open(Map.of("extraHeaders", EXTRA_HEADERS, "transports", List.of(transport)));
        HandshakeRequest request = socket(client.sid()).request();
        EXTRA_HEADERS.forEach((name, value) -> assertThat(request.header(name)).as(name).isEqualTo(value));
    }

    @Test
    @NodeCase("server > extraHeaders > should arrive from client to server via WebSockets")
    void theClientsHeadersReachTheSessionOnWebSocket() {
        extraHeadersArrive("websocket");
    }

    @Test
    @NodeCase("server > extraHeaders > should arrive from client to server via XMLHttpRequest")
    void theClientsHeadersReachTheSessionOnPolling() {
        extraHeadersArrive("polling");
    }

    // response headers

    /** The headers of the answer to a poll that carries a message, the client's requests with this User-Agent. */
    java.net.http.HttpHeaders pollHeaders(String userAgent) throws Exception {
        String[] headers = userAgent == null ? new String[0] : new String[] { "User-Agent", userAgent };
        String sid = sidOf(rawHandshake(headers));
        socket(sid).send("hi");
        HttpResponse<byte[]> poll = rawGet("EIO=4&transport=polling&sid=" + sid, headers);
        assertThat(new String(poll.body(), StandardCharsets.UTF_8)).isEqualTo("4hi");
        return poll.headers();
    }

    @Test
    @NodeCase("server > response headers > should contain X-XSS-Protection: 0 for IE8")
    void aPollOfInternetExplorer8TurnsItsXssFilterOff() throws Exception {
        assertThat(pollHeaders("Mozilla/4.0 (compatible; MSIE 8.0; Windows NT 6.1; Trident/4.0; SLCC2; .NET CLR 2.0.50727; "
                + ".NET CLR 3.5.30729; .NET CLR 3.0.30729; Media Center PC 6.0; .NET4.0C; .NET4.0E; Tablet PC 2.0)")
                .firstValue("X-XSS-Protection")).hasValue("0");
    }

    @Test
    @NodeCase("server > response headers > should contain X-XSS-Protection: 0 for IE11")
    void aPollOfInternetExplorer11TurnsItsXssFilterOff() throws Exception {
        assertThat(pollHeaders("Mozilla/5.0 (Windows NT 6.3; Trident/7.0; rv:11.0) like Gecko")
                .firstValue("X-XSS-Protection")).hasValue("0");
        // and only for Internet Explorer
        assertThat(pollHeaders("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0")
                .firstValue("X-XSS-Protection")).isEmpty();
    }

    @Test
    @NodeCase("server > response headers > should include a 'cache-control' header")
    void aPollIsNotToBeCached() throws Exception {
        assertThat(pollHeaders(null).firstValue("cache-control")).hasValue("no-store");
    }

    @Test
    @NodeCase("server > response headers > should emit a single 'initial_headers' event per connection")
    void theHandshakeRouteRunsOnceForAClient() {
        String rid = unique();
        Client client = open(Map.of("query", Map.of("hdr", "count", "rid", rid)));
        driver.await(client.id(), "upgrade");
        assertThat(INITIAL_REQUESTS.get(rid)).hasValue(1);
    }

    @Test
    @NodeCase("server > response headers > should emit several 'headers' events per connection")
    void theRouteRunsForEveryRequestOfAClient() {
        String rid = unique();
        Client client = open(Map.of("query", Map.of("hdr", "count", "rid", rid)));
        driver.await(client.id(), "upgrade");
        // the handshake, polls, the probe's POST and the WebSocket's upgrade request
        assertThat(REQUESTS.get(rid).get()).isGreaterThanOrEqualTo(3);
    }

    // cors

    @Test
    @NodeCase("server > cors > should disallow CORS from a bad origin")
    void aPreflightFromAnOriginNotListedIsNotAllowed() {
        Response res = given().header("Origin", "http://bad-domain.com")
                .when().options(url(PATH) + "?EIO=4&transport=polling");
        assertThat(res.statusCode()).isEqualTo(204);
        assertThat(res.asString()).isEmpty();
        assertThat(res.header("Access-Control-Allow-Origin")).isNull();
        assertThat(res.header("Access-Control-Allow-Credentials")).isNull();
    }

    // remoteAddress

    static boolean loopback(String address) throws Exception {
        String host = address.substring(0, address.lastIndexOf(':'));
        return java.net.InetAddress.getByName(host.replace("[", "").replace("]", "")).isLoopbackAddress();
    }

    @Test
    @NodeCase("server > remoteAddress > should be defined (polling)")
    void theSessionKnowsItsClientsAddressOnPolling() throws Exception {
        Client client = open(POLLING);
        assertThat(loopback(socket(client.sid()).request().remoteAddress())).isTrue();
    }

    @Test
    @NodeCase("server > remoteAddress > should be defined (ws)")
    void theSessionKnowsItsClientsAddressOnWebSocket() throws Exception {
        Client client = open(WEBSOCKET);
        assertThat(loopback(socket(client.sid()).request().remoteAddress())).isTrue();
    }

    // http compression

    /** A polling session that has a binary message of {@code size} bytes waiting, sent with {@code compress}. */
    String waitingBinary(int size, boolean compress) throws Exception {
        String sid = sidOf(rawHandshake());
        socket(sid).send(bytes(size), compress);
        await().atMost(Duration.ofSeconds(10)).until(() -> SOCKETS.get(sid).bufferedBytes() > 0);
        return sid;
    }

    static byte[] inflate(InputStream in) throws Exception {
        try (in) {
            return in.readAllBytes();
        }
    }

    @Test
    @NodeCase("server > http compression > should compress by default")
    void aLargePollingResponseIsGzipped() throws Exception {
        String sid = waitingBinary(1024, true);
        HttpResponse<byte[]> res = rawGet("EIO=4&transport=polling&sid=" + sid, "Accept-Encoding", "gzip, deflate");
        assertThat(res.headers().firstValue("content-encoding")).hasValue("gzip");
        String body = new String(inflate(new GZIPInputStream(new ByteArrayInputStream(res.body()))),
                StandardCharsets.UTF_8);
        assertThat(body).startsWith("b");
        assertThat(Base64.getDecoder().decode(body.substring(1))).isEqualTo(bytes(1024).getBytes());
    }

    @Test
    @NodeCase("server > http compression > should compress using deflate")
    void aLargePollingResponseIsDeflatedWhenAskedFor() throws Exception {
        String sid = waitingBinary(1024, true);
        HttpResponse<byte[]> res = rawGet("EIO=4&transport=polling&sid=" + sid, "Accept-Encoding", "deflate");
        assertThat(res.headers().firstValue("content-encoding")).hasValue("deflate");
        String body = new String(inflate(new InflaterInputStream(new ByteArrayInputStream(res.body()))),
                StandardCharsets.UTF_8);
        assertThat(Base64.getDecoder().decode(body.substring(1))).isEqualTo(bytes(1024).getBytes());
    }

    @Test
    @NodeCase("server > http compression > should disable compression per message")
    void aMessageSentUncompressedIsNotCompressed() throws Exception {
        String sid = waitingBinary(1024, false);
        HttpResponse<byte[]> res = rawGet("EIO=4&transport=polling&sid=" + sid, "Accept-Encoding", "gzip, deflate");
        assertThat(res.headers().firstValue("content-encoding")).isEmpty();
        assertThat(new String(res.body(), StandardCharsets.UTF_8)).startsWith("b");
    }

    @Test
    @NodeCase("server > http compression > should not compress when the byte size is below threshold")
    void aSmallPollingResponseIsNotCompressed() throws Exception {
        String sid = waitingBinary(100, true);
        HttpResponse<byte[]> res = rawGet("EIO=4&transport=polling&sid=" + sid, "Accept-Encoding", "gzip, deflate");
        assertThat(res.headers().firstValue("content-encoding")).isEmpty();
        assertThat(new String(res.body(), StandardCharsets.UTF_8)).startsWith("b");
    }
}
