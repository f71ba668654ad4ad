package dev.qsio.it.features;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URL;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;

import dev.qsio.it.support.ClientDriver;
import dev.qsio.runtime.engine.EngineEndpoints;
import dev.qsio.runtime.engine.EngineSession;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/**
 * The Socket.IO API exercised by the official Node {@code socket.io-client}: middleware, namespaces, rooms,
 * broadcasts, acknowledgements both ways, binary, errors, disconnection and reconnection.
 */
@QuarkusTest
class FeaturesClientTest {

    @TestHTTPResource("/")
    URL root;

    @Inject
    EngineEndpoints engines;

    ClientDriver driver;

    @BeforeEach
    void start() {
        driver = ClientDriver.start();
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    String url(String namespace) {
        return root.toString().replaceAll("/$", "") + namespace;
    }

    static Map<String, Object> opts(String mode, Object... authPairs) {
        Map<String, Object> o = new HashMap<>();
        if (mode.equals("polling") || mode.equals("websocket")) {
            o.put("transports", List.of(mode));
        }
        Map<String, Object> auth = new HashMap<>();
        for (int i = 0; i < authPairs.length; i += 2) {
            auth.put((String) authPairs[i], authPairs[i + 1]);
        }
        if (!auth.isEmpty()) {
            o.put("auth", auth);
        }
        o.put("reconnectionDelay", 100);
        o.put("reconnectionDelayMax", 200);
        return o;
    }

    String connect(String id, String mode, Object... auth) {
        driver.connect(id, url("/"), opts(mode, auth), Map.of("question", List.of("yes from " + id)));
        String sid = driver.await(id, "connect").get("sid").asText();
        driver.awaitEmit(id, "welcome");
        return sid;
    }

    JsonNode ack(String id, String event, Object... args) {
        String ref = event + System.nanoTime();
        driver.emitWithAck(id, ref, 10_000, event, args);
        JsonNode answer = driver.awaitAck(id, ref);
        assertThat(answer.has("error")).as(answer.toString()).isFalse();
        return answer.get("args");
    }

    @Test
    void middlewareRefusalReachesTheClientWithMessageAndData() {
        driver.connect("bad", url("/"), opts("websocket", "token", "bad"));
        JsonNode error = driver.await("bad", "connect_error");
        assertThat(error.get("message").asText()).isEqualTo("not authorized");
        assertThat(error.get("data").get("reason").asText()).isEqualTo("bad token");

        driver.connect("guest", url("/admin"), opts("polling", "role", "guest"));
        assertThat(driver.await("guest", "connect_error").get("message").asText()).isEqualTo("admins only");
        driver.connect("boss", url("/admin"), opts("polling", "role", "admin"));
        driver.await("boss", "connect");
        assertThat(driver.awaitEmit("boss", "welcome").get("args").get(0).asText()).isEqualTo("admin");
        assertThat(ack("boss", "whoami").get(0).asText()).isEqualTo("/admin");
    }

    @Test
    void dynamicNamespacesByPatternAndByMatcher() {
        driver.connect("w1", url("/workspace-1"), opts("websocket"));
        driver.connect("w1b", url("/workspace-1"), opts("polling"));
        driver.connect("w2", url("/workspace-2"), opts("websocket"));
        assertThat(driver.awaitEmit("w1", "welcome").get("args").get(0).asText()).isEqualTo("/workspace-1");
        assertThat(driver.awaitEmit("w2", "welcome").get("args").get(0).asText()).isEqualTo("/workspace-2");
        driver.awaitEmit("w1b", "welcome");
        driver.emit("w1", "shout", "hi");
        assertThat(driver.awaitEmit("w1b", "shout").get("args").toString()).isEqualTo("[\"/workspace-1\",\"hi\"]");
        driver.connect("wx", url("/workspace-x"), opts("websocket"));
        assertThat(driver.await("wx", "connect_error").get("message").asText()).isEqualTo("Invalid namespace");

        driver.connect("t1", url("/tenant-acme"), opts("websocket", "tenant", "acme"));
        assertThat(driver.awaitEmit("t1", "welcome").get("args").get(0).asText()).isEqualTo("/tenant-acme");
        driver.connect("t2", url("/tenant-other"), opts("websocket", "tenant", "acme"));
        assertThat(driver.await("t2", "connect_error").get("message").asText()).isEqualTo("Invalid namespace");
        // the shout of workspace 1 never reached workspace 2
        assertThat(driver.events(e -> "w2".equals(e.path("id").asText()) && "shout".equals(e.path("name").asText())))
                .isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = { "polling", "websocket", "default" })
    void roomsAndBroadcasts(String mode) {
        String a = connect("a", mode);
        String b = connect("b", mode);
        connect("c", mode);
        assertThat(ack("a", "join", "blue").get(0).asText()).isEqualTo("joined blue");
        ack("b", "join", "blue");
        assertThat(ack("a", "rooms").toString()).contains("blue", a);

        // to the room except the sender
        driver.emit("a", "to-room", Map.of("room", "blue", "text", "hello blue"));
        JsonNode got = driver.awaitEmit("b", "room-message");
        assertThat(got.get("args").get(0).get("text").asText()).isEqualTo("hello blue");
        assertThat(got.get("args").get(1).asText()).isEqualTo(a);
        // to the room including the sender
        driver.emit("b", "to-room-all", Map.of("room", "blue", "text", "all blue"));
        assertThat(driver.awaitEmit("a", "room-message").get("args").get(0).get("text").asText()).isEqualTo("all blue");
        assertThat(driver.awaitEmit("b", "room-message").get("args").get(0).get("text").asText()).isEqualTo("all blue");
        // everyone but the sender
        driver.emit("c", "broadcast", Map.of("n", 1));
        driver.awaitEmit("a", "broadcast");
        driver.awaitEmit("b", "broadcast");
        // everyone
        driver.emit("c", "everyone", "all");
        driver.awaitEmit("a", "everyone");
        driver.awaitEmit("b", "everyone");
        driver.awaitEmit("c", "everyone");
        // everyone not in the room
        driver.emit("a", "except", "blue", "not blue");
        assertThat(driver.awaitEmit("c", "except").get("args").get(0).asText()).isEqualTo("not blue");
        // leave, and the room forgets
        ack("b", "leave", "blue");
        assertThat(ack("a", "fetch", "blue").toString()).isEqualTo("[[\"" + a + "\"]]");

        // none of the exclusions leaked
        assertThat(driver.events(e -> "c".equals(e.path("id").asText()) && "room-message".equals(e.path("name").asText())))
                .isEmpty();
        assertThat(driver.events(e -> "c".equals(e.path("id").asText()) && "broadcast".equals(e.path("name").asText())))
                .isEmpty();
        assertThat(driver.events(e -> "a".equals(e.path("id").asText()) && "room-message".equals(e.path("name").asText())))
                .hasSize(1);
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2)).until(() -> driver
                .events(e -> !"c".equals(e.path("id").asText()) && "except".equals(e.path("name").asText())).isEmpty());
        assertThat(b).isNotEqualTo(a);
    }

    @ParameterizedTest
    @ValueSource(strings = { "polling", "websocket" })
    void acknowledgementsBothWays(String mode) {
        connect("a", mode);
        assertThat(ack("a", "upper", "abc").toString()).isEqualTo("[\"ABC\"]");
        assertThat(ack("a", "sum", 2, 3).toString()).isEqualTo("[{\"total\":5}]");
        assertThat(ack("a", "record", Map.of("text", "hi", "tags", List.of("x"))).toString())
                .isEqualTo("[{\"length\":2,\"upper\":\"HI[x]\"}]");
        driver.emitWithRawAck("a", "later", "later", "z");
        assertThat(driver.awaitAck("a", "later").get("args").toString()).isEqualTo("[\"later\",\"z\"]");
        // the server asks the client, which answers
        assertThat(ack("a", "ask", 2000).toString()).isEqualTo("[\"yes from a\"]");
        // a client that does not answer: the server's emitWithAck times out
        driver.connect("mute", url("/"), opts(mode), Map.of("question", List.of("$none")));
        driver.await("mute", "connect");
        assertThat(ack("mute", "ask", 300).get(0).asText()).startsWith("timeout");
    }

    @Test
    void broadcastWithAcknowledgementsCollectsEveryAnswerOrReportsTheTimeout() {
        connect("a", "websocket");
        connect("b", "polling");
        ack("a", "join", "team");
        ack("b", "join", "team");
        JsonNode answers = ack("a", "ask-room", "team", 3000).get(0);
        assertThat(answers).hasSize(2);
        assertThat(answers.toString()).contains("yes from a", "yes from b");

        driver.connect("mute", url("/"), opts("websocket"), Map.of("question", List.of("$none")));
        driver.await("mute", "connect");
        String ref = "mute-join";
        driver.emitWithAck("mute", ref, 5000, "join", "team");
        driver.awaitAck("mute", ref);
        JsonNode timeout = ack("a", "ask-room", "team", 500).get(0);
        assertThat(timeout.get("error").asText()).isEqualTo("timeout");
        assertThat(timeout.get("received").asInt()).isEqualTo(2);
        assertThat(timeout.get("expected").asInt()).isEqualTo(3);
    }

    @ParameterizedTest
    @ValueSource(strings = { "polling", "websocket" })
    void binaryBothWays(String mode) {
        connect("a", mode);
        JsonNode reversed = ack("a", "reverse", ClientDriver.bin(new byte[] { 1, 2, 3, 4, 5 }));
        assertThat(ClientDriver.unbin(reversed.get(0))).containsExactly(5, 4, 3, 2, 1);
        byte[] big = new byte[200_000];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) i;
        }
        JsonNode bigBack = ack("a", "reverse", ClientDriver.bin(big));
        assertThat(ClientDriver.unbin(bigBack.get(0))).hasSize(big.length).startsWith((byte) (big.length - 1));
    }

    @Test
    void handlerFailuresReachTheErrorHookAndTheSocketStays() {
        connect("a", "websocket");
        driver.emit("a", "fail", "boom");
        assertThat(driver.awaitEmit("a", "error-seen").get("args").get(0).asText()).isEqualTo("boom");
        assertThat(ack("a", "upper", "still here").get(0).asText()).isEqualTo("STILL HERE");
    }

    @ParameterizedTest
    @ValueSource(strings = { "polling", "websocket" })
    void eventsOfOneSocketAreHandledInOrder(String mode) {
        connect("a", mode);
        for (int i = 0; i < 300; i++) {
            driver.emit("a", "order", i);
        }
        for (int i = 0; i < 300; i++) {
            assertThat(driver.awaitEmit("a", "order-back").get("args").get(0).asInt()).isEqualTo(i);
        }
    }

    @Test
    void serverApiFromRestAndOnBroadcast() {
        connect("a", "websocket");
        connect("b", "polling");
        ack("b", "join", "red");
        given().contentType(ContentType.JSON).body(Map.of("event", "news", "data", Map.of("headline", "hi")))
                .post("/api/emit").then().statusCode(202);
        assertThat(driver.awaitEmit("a", "news").get("args").get(0).get("headline").asText()).isEqualTo("hi");
        driver.awaitEmit("b", "news");
        given().contentType(ContentType.JSON).body(Map.of("event", "red-news", "data", 1, "room", "red"))
                .post("/api/emit").then().statusCode(202);
        driver.awaitEmit("b", "red-news");

        driver.emit("a", "everyone", Map.of("k", "v"));
        driver.awaitEmit("a", "everyone");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            List<Map<String, Object>> seen = given().get("/api/broadcasts").then().statusCode(200).extract().jsonPath()
                    .getList("$");
            assertThat(seen).anySatisfy(s -> {
                assertThat(s.get("data").toString()).contains("k=v");
                assertThat(((Map<?, ?>) s.get("context")).get("local")).isEqualTo(true);
            });
        });
        assertThat(driver.events(e -> "a".equals(e.path("id").asText()) && "red-news".equals(e.path("name").asText())))
                .isEmpty();
    }

    @Test
    void socketsJoinLeaveAndDisconnectAcrossTheNamespace() {
        String a = connect("a", "websocket");
        String b = connect("b", "polling");
        ack("a", "join", "one");
        ack("b", "join", "one");
        ack("a", "sockets-join", "one", "two");
        assertThat(ack("a", "fetch", "two").get(0)).hasSize(2);
        ack("a", "sockets-leave", "one", "two");
        assertThat(ack("a", "fetch", "two").get(0)).isEmpty();
        driver.emit("a", "disconnect-room", "one");
        assertThat(driver.await("a", "disconnect").get("reason").asText()).isEqualTo("io server disconnect");
        assertThat(driver.await("b", "disconnect").get("reason").asText()).isEqualTo("io server disconnect");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            Map<String, String> reasons = given().get("/api/disconnects").then().extract().jsonPath().getMap("$");
            assertThat(reasons).containsEntry(a, "server namespace disconnect").containsEntry(b,
                    "server namespace disconnect");
        });
    }

    @Test
    void disconnectionReasonsAndReconnection() {
        String a = connect("a", "websocket");
        // kicked by the server: no automatic reconnection, a manual one works
        driver.emit("a", "kick");
        assertThat(driver.await("a", "disconnect").get("reason").asText()).isEqualTo("io server disconnect");
        driver.send(driver.command("sio.connectAgain", "a"));
        String again = driver.await("a", "connect").get("sid").asText();
        assertThat(again).isNotEqualTo(a);
        driver.awaitEmit("a", "welcome");

        // the connection dropped by the server without a DISCONNECT packet: the client reconnects by itself
        String b = connect("b", "polling");
        EngineSession<?> session = engines.servers().stream().flatMap(s -> s.sessions().stream())
                .filter(s -> String.valueOf(s.connection()).contains(b)).findFirst().orElseThrow();
        session.close();
        assertThat(driver.await("b", "disconnect").get("reason").asText()).isEqualTo("transport close");
        driver.await("b", "connect");
        driver.await("b", "reconnect");

        // the client leaves
        driver.disconnect("a");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                given().get("/api/disconnects").then().extract().jsonPath().getMap("$", String.class, String.class))
                .containsEntry(again, "client namespace disconnect").containsEntry(b, "forced close"));
    }
}
