package dev.qsio.it.nodesuites;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.qsio.Middleware;
import dev.qsio.SocketIo;
import dev.qsio.SocketIoServer;
import dev.qsio.SocketIoSocket;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * {@code socket.io/test/uws.ts}: Node's server on another engine (uWebSockets.js, {@code io.attachApp(App())}), and
 * its cases the same broadcasts, rooms and static files through it, to a client of each transport mix. Here the
 * engine is the application's HTTP server, and these cases run on it as Node's run on uWebSockets.js: as in Node's
 * {@code beforeEach}, each case starts with a client of the default options, one WebSocket-only, one polling-only
 * (all three in one namespace, {@code /uws-N} here for Node's main namespace) and one in another namespace
 * ({@code /uws-N-custom}, Node's {@code /custom}), multiplexed on the first client's connection.
 */
@QuarkusTest
@NodeFile("socket.io/test/uws.ts")
class UwsCasesTest extends NodeCases {

    private static final AtomicInteger NAMESPACES = new AtomicInteger();

    @SocketIo(pattern = "/uws-\\d+")
    static class Main {
        /** Node's case "should work when joining a room in a middleware" adds this middleware to its server. */
        @Middleware
        void joinTest(SocketIoSocket socket) {
            if ("yes".equals(socket.handshake().queryParam("join-test"))) {
                socket.join("test");
            }
        }
    }

    @SocketIo(pattern = "/uws-\\d+-custom")
    static class Custom {
    }

    @SocketIo(pattern = "/uws-dynamic-\\d+")
    static class Dynamic {
    }

    @Inject
    SocketIoServer io;

    String ns;
    String client;
    String wsOnly;
    String pollingOnly;
    String custom;

    /** Node's beforeEach; {@code query}: the handshake query of every client. */
    void fourClients(Map<String, Object> query) {
        ns = "/uws-" + NAMESPACES.incrementAndGet();
        client = connect(ns, Map.of("query", query), Map.of());
        wsOnly = connect(ns, Map.of("transports", List.of("websocket"), "query", query), Map.of());
        pollingOnly = connect(ns, Map.of("transports", List.of("polling"), "query", query), Map.of());
        custom = connect(ns + "-custom", Map.of("query", query), Map.of());
        for (String id : List.of(client, wsOnly, pollingOnly, custom)) {
            driver.await(id, "connect");
        }
    }

    void fourClients() {
        fourClients(Map.of());
    }

    SocketIoSocket socketOf(String id) {
        SocketIoSocket socket = io.of(ns).socket(driver.events(id, "connect").get(0).path("sid").asText());
        assertThat(socket).isNotNull();
        return socket;
    }

    /** These clients get {@code event} once, and the others of the four never (checked 300 ms on). */
    void onlyThese(String event, String... receivers) {
        List<String> them = List.of(receivers);
        for (String id : them) {
            await().atMost(Duration.ofSeconds(10)).until(() -> driver.received(id, event) >= 1);
        }
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> List
                .of(client, wsOnly, pollingOnly, custom).stream()
                .allMatch(id -> driver.received(id, event) == (them.contains(id) ? 1 : 0)));
    }

    @Test
    @NodeCase("socket.io with uWebSocket.js-based engine > should broadcast")
    void broadcasts() {
        fourClients();
        io.of(ns).emit("hello");
        onlyThese("hello", client, wsOnly, pollingOnly);
    }

    @Test
    @NodeCase("socket.io with uWebSocket.js-based engine > should broadcast in a namespace")
    void broadcastsInANamespace() {
        fourClients();
        io.of(ns + "-custom").emit("hello");
        onlyThese("hello", custom);
    }

    /** Node's case opens the dynamic namespace on the WebSocket-only client's connection. */
    @Test
    @NodeCase("socket.io with uWebSocket.js-based engine > should broadcast in a dynamic namespace")
    void broadcastsInADynamicNamespace() {
        fourClients();
        String dynamic = connect("/uws-dynamic-" + NAMESPACES.incrementAndGet(),
                Map.of("transports", List.of("websocket")), Map.of());
        driver.await(dynamic, "connect");
        io.ofPattern("/uws-dynamic-\\d+").emit("hello");
        await().atMost(Duration.ofSeconds(10)).until(() -> driver.received(dynamic, "hello") == 1);
    }

    @Test
    @NodeCase("socket.io with uWebSocket.js-based engine > should broadcast binary content")
    void broadcastsBinaryContent() {
        fourClients();
        io.of(ns).emit("hello", (Object) new byte[] { 1, 2, 3 });
        onlyThese("hello", client, wsOnly, pollingOnly);
        assertThat(SocketCasesTest.bytes(driver.emits(pollingOnly, "hello").get(0).path("args").get(0)))
                .containsExactly(1, 2, 3);
    }

    /**
     * A volatile broadcast reaches the clients that can take it at once: the polling-only one when its request is
     * waiting, which Node's case waits for (20 ms after the connections); here until the client's poll is parked.
     */
    @Test
    @NodeCase("socket.io with uWebSocket.js-based engine > should broadcast volatile packet with binary content")
    void broadcastsAVolatileBinaryPacket() {
        fourClients();
        await().atMost(Duration.ofSeconds(10)).until(() -> socketOf(pollingOnly).conn().writable());
        io.of(ns).volatile_().emit("hello", (Object) new byte[] { 1, 2, 3 });
        onlyThese("hello", client, wsOnly, pollingOnly);
    }

    @Test
    @NodeCase("socket.io with uWebSocket.js-based engine > should broadcast in a room")
    void broadcastsInARoom() {
        fourClients();
        socketOf(wsOnly).join("room1");
        socketOf(pollingOnly).join("room1");
        io.of(ns).to("room1").emit("hello");
        onlyThese("hello", wsOnly, pollingOnly);
    }

    @Test
    @NodeCase("socket.io with uWebSocket.js-based engine > should broadcast in multiple rooms")
    void broadcastsInSeveralRooms() {
        fourClients();
        socketOf(wsOnly).join("room1");
        socketOf(pollingOnly).join("room2");
        io.of(ns).to("room1", "room2").emit("hello");
        onlyThese("hello", wsOnly, pollingOnly);
    }

    @Test
    @NodeCase("socket.io with uWebSocket.js-based engine > should broadcast in all but a given room")
    void broadcastsToAllButARoom() {
        fourClients();
        socketOf(wsOnly).join("room1");
        socketOf(pollingOnly).join("room2");
        io.of(ns).except("room2").emit("hello");
        onlyThese("hello", client, wsOnly);
    }

    /** Node's case adds a middleware that joins {@code test}; here the namespace's middleware does for these clients. */
    @Test
    @NodeCase("socket.io with uWebSocket.js-based engine > should work when joining a room in a middleware")
    void aRoomJoinedInTheMiddlewareIsJoined() {
        fourClients(Map.of("join-test", "yes"));
        assertThat(socketOf(client).rooms()).contains("test");
        io.of(ns).to("test").emit("hello");
        onlyThese("hello", client, wsOnly, pollingOnly);
    }

    @Test
    @NodeCase("socket.io with uWebSocket.js-based engine > should work even after leaving room")
    void aRoomLeftIsLeft() {
        fourClients();
        socketOf(client).join("room1");
        socketOf(pollingOnly).join("room1");
        socketOf(wsOnly).join("room1");
        socketOf(wsOnly).leave("room1");
        io.of(ns).to("room1").emit("hello");
        onlyThese("hello", client, pollingOnly);
    }

    /** The default client is still on polling, its upgrade under way or not begun, when its socket is disconnected. */
    @Test
    @NodeCase("socket.io with uWebSocket.js-based engine > should not crash when socket is disconnected before the upgrade")
    void aSocketDisconnectedBeforeTheUpgrade() {
        ns = "/uws-" + NAMESPACES.incrementAndGet();
        String early = connect(ns);
        driver.await(early, "connect");
        socketOf(early).disconnect(false);
        assertThat(driver.await(early, "disconnect").path("reason").asText()).isEqualTo("io server disconnect");
        fourClients();
        io.of(ns).emit("hello");
        onlyThese("hello", client, wsOnly, pollingOnly);
    }

    // ---- static files

    void isServed(String file, String type) throws IOException {
        Response res = given().when().get(url("/socket.io/" + file));
        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.header("Content-Type")).isEqualTo(type);
        assertThat(res.header("ETag")).isEqualTo("\"" + ServerAttachmentCasesTest.clientVersion() + "\"");
    }

    static final String SOURCE = "application/javascript; charset=utf-8";
    static final String MAP = "application/json; charset=utf-8";

    @Test
    @NodeCase("socket.io with uWebSocket.js-based engine > static files > should serve socket.io.js")
    void servesSocketIoJs() throws IOException {
        isServed("socket.io.js", SOURCE);
    }

    @Test
    @NodeCase("socket.io with uWebSocket.js-based engine > static files > should serve socket.io.js (with query params)")
    void servesSocketIoJsWithAQuery() throws IOException {
        isServed("socket.io.js?foo=bar", SOURCE);
    }

    @Test
    @NodeCase("socket.io with uWebSocket.js-based engine > static files > should serve socket.io.js.map")
    void servesSocketIoJsMap() throws IOException {
        isServed("socket.io.js.map", MAP);
    }

    @Test
    @NodeCase("socket.io with uWebSocket.js-based engine > static files > should serve socket.io.min.js")
    void servesSocketIoMinJs() throws IOException {
        isServed("socket.io.min.js", SOURCE);
    }

    @Test
    @NodeCase("socket.io with uWebSocket.js-based engine > static files > should serve socket.io.min.js.map")
    void servesSocketIoMinJsMap() throws IOException {
        isServed("socket.io.min.js.map", MAP);
    }

    @Test
    @NodeCase("socket.io with uWebSocket.js-based engine > static files > should serve socket.io.msgpack.min.js")
    void servesSocketIoMsgpackMinJs() throws IOException {
        isServed("socket.io.msgpack.min.js", SOURCE);
    }

    @Test
    @NodeCase("socket.io with uWebSocket.js-based engine > static files > should serve socket.io.msgpack.min.js.map")
    void servesSocketIoMsgpackMinJsMap() throws IOException {
        isServed("socket.io.msgpack.min.js.map", MAP);
    }

    @Test
    @NodeCase("socket.io with uWebSocket.js-based engine > static files > should return 404 for mismatching path")
    void servesNothingElsewhere() {
        assertThat(given().when().get(url("/abcdefghij/socket.io.js")).statusCode()).isEqualTo(404);
    }

    @Test
    @NodeCase("socket.io with uWebSocket.js-based engine > static files > should return 304 when If-None-Match matches ETag")
    void answers304() throws IOException {
        given().header("If-None-Match", "\"" + ServerAttachmentCasesTest.clientVersion() + "\"").when()
                .get(url("/socket.io/socket.io.js")).then().statusCode(304);
    }

    @Test
    @NodeCase("socket.io with uWebSocket.js-based engine > static files > should return 200 when If-None-Match does not match ETag")
    void answers200ToAnotherETag() throws IOException {
        Response res = given().header("If-None-Match", "\"random-etag\"").when().get(url("/socket.io/socket.io.js"));
        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.header("ETag")).isEqualTo("\"" + ServerAttachmentCasesTest.clientVersion() + "\"");
    }
}
