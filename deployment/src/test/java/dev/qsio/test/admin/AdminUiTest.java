package dev.qsio.test.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.fasterxml.jackson.databind.JsonNode;

import dev.qsio.testkit.ClientSocket;
import dev.qsio.testkit.ConnectErrorException;
import dev.qsio.testkit.Received;
import dev.qsio.testkit.SocketIoConnector;
import dev.qsio.testkit.Transport;
import io.quarkus.test.QuarkusUnitTest;
import io.restassured.RestAssured;

/**
 * The Admin UI's protocol in development mode (the default in tests), as {@code @socket.io/admin-ui} 0.5.1's
 * {@code instrument()} speaks it: the login and its session, config, all_sockets, server_stats, the per-socket
 * events and the commands; and the page, preset to this server.
 */
class AdminUiTest {

    @RegisterExtension
    static final QuarkusUnitTest test = new QuarkusUnitTest()
            .withApplicationRoot(root -> root.addClasses(Chat.class))
            .overrideConfigKey("quarkus.socketio.admin-ui.enabled", "true")
            .overrideConfigKey("quarkus.socketio.admin-ui.username", "admin")
            .overrideConfigKey("quarkus.socketio.admin-ui.password", Chat.HASH_2A)
            .overrideConfigKey("quarkus.socketio.admin-ui.server-id", "test-server");

    // WebSocket at once: a client that polls first is counted as polling until its upgrade, which a test that reads
    // the transport and pollingClientsCount would otherwise race (theUpgradeIsASocketUpdate covers the upgrade)
    final SocketIoConnector admin = SocketIoConnector.create().namespace("/admin").transports(Transport.WEBSOCKET);
    final SocketIoConnector chat = SocketIoConnector.create().namespace("/chat").transports(Transport.WEBSOCKET);

    ClientSocket login() {
        return admin.auth(Map.of("username", "admin", "password", "s3cret")).connectAndAwait();
    }

    @Test
    void aWrongPasswordIsRefused() {
        ConnectErrorException e = admin.auth(Map.of("username", "admin", "password", "wrong")).connectAndAwaitRefusal();
        assertThat(e.getMessage()).contains("invalid credentials");
        assertThat(admin.auth(Map.of("username", "root", "password", "s3cret")).connectAndAwaitRefusal().getMessage())
                .contains("invalid credentials");
        assertThat(admin.connectAndAwaitRefusal().getMessage()).contains("invalid credentials");
        // longer than bcrypt reads: refused as any wrong password (the library's own error went back before)
        String wrong = e.getMessage();
        assertThat(admin.auth(Map.of("username", "admin", "password", "s3cret" + "x".repeat(100)))
                .connectAndAwaitRefusal().getMessage()).isEqualTo(wrong);
        assertThat(admin.auth(Map.of("username", "admin", "password", "é".repeat(40))).connectAndAwaitRefusal()
                .getMessage()).isEqualTo(wrong);
        try (ClientSocket ui = login()) {
            ui.awaitEvent("config");
        }
        assertThat(admin.auth(Map.of("sessionId", "4102444800.00.forged")).connectAndAwaitRefusal().getMessage())
                .contains("invalid credentials");
    }

    @Test
    void theSessionLogsInAgain() {
        String session;
        try (ClientSocket ui = login()) {
            session = ui.awaitEvent("session").arg().asText();
            assertThat(ui.awaitEvent("config").arg().get("supportedFeatures")).extracting(JsonNode::asText)
                    .containsExactly("EMIT", "JOIN", "LEAVE", "DISCONNECT", "MJOIN", "MLEAVE", "MDISCONNECT",
                            "AGGREGATED_EVENTS", "ALL_EVENTS");
        }
        try (ClientSocket again = admin.auth(Map.of("sessionId", session)).connectAndAwait()) {
            again.awaitEvent("config");
            assertThat(again.events("session")).isEmpty();
        }
        // a session signed with the hash, altered
        String altered = "9" + session.substring(1);
        assertThat(admin.auth(Map.of("sessionId", altered)).connectAndAwaitRefusal().getMessage())
                .contains("invalid credentials");
    }

    @Test
    void theUpgradeIsASocketUpdate() {
        try (ClientSocket ui = login()) {
            ui.awaitEvent("all_sockets");
            try (ClientSocket user = SocketIoConnector.create().namespace("/chat").connectAndAwait()) {
                Received upgraded = await().atMost(Duration.ofSeconds(10)).until(() -> ui.events("socket_updated")
                        .stream().filter(r -> r.arg().get("id").asText().equals(user.id()) && r.arg().has("transport"))
                        .findFirst().orElse(null), r -> r != null);
                assertThat(upgraded.arg().get("transport").asText()).isEqualTo("websocket");
                assertThat(upgraded.arg().get("nsp").asText()).isEqualTo("/chat");
            }
        }
    }

    @Test
    void theUiSeesSocketsStatsAndEvents() {
        try (ClientSocket user = chat.header("x-forwarded-for", "203.0.113.7").query("room", "1").connectAndAwait();
                ClientSocket ui = login()) {
            JsonNode all = ui.awaitEvent("all_sockets").arg();
            JsonNode mine = null;
            for (JsonNode s : all) {
                if (s.get("id").asText().equals(user.id())) {
                    mine = s;
                }
            }
            assertThat(mine).as("the chat socket in all_sockets: %s", all).isNotNull();
            assertThat(mine.get("nsp").asText()).isEqualTo("/chat");
            assertThat(mine.get("clientId").asText()).hasSize(12);
            assertThat(mine.get("transport").asText()).isEqualTo("websocket");
            assertThat(mine.get("data").size()).isZero();
            assertThat(mine.get("rooms")).extracting(JsonNode::asText).containsExactly(user.id());
            JsonNode handshake = mine.get("handshake");
            assertThat(handshake.get("address").asText()).isEqualTo("203.0.113.7");
            assertThat(handshake.get("headers").get("x-forwarded-for").asText()).isEqualTo("203.0.113.7");
            assertThat(handshake.get("query").get("room").asText()).isEqualTo("1");
            assertThat(handshake.get("query").get("EIO").asText()).isEqualTo("4");
            assertThat(handshake.get("url").asText()).startsWith("/socket.io/?").contains("room=1");
            assertThat(handshake.get("issued").asLong()).isPositive();
            assertThat(handshake.get("time").asText()).contains("GMT");
            assertThat(handshake.get("secure").asBoolean()).isFalse();
            assertThat(handshake.get("xdomain").asBoolean()).isFalse();

            JsonNode stats = ui.awaitEvent("server_stats").arg();
            assertThat(stats.get("serverId").asText()).isEqualTo("test-server");
            assertThat(stats.get("pid").asLong()).isEqualTo(ProcessHandle.current().pid());
            assertThat(stats.get("hostname").asText()).isNotEmpty();
            assertThat(stats.get("uptime").asDouble()).isPositive();
            assertThat(stats.get("clientsCount").asInt()).isGreaterThanOrEqualTo(2);
            assertThat(stats.get("pollingClientsCount").asInt()).isZero();
            assertThat(stats.get("namespaces").findValuesAsText("name")).contains("/", "/chat", "/admin");
            // the aggregated events: connections, packets and bytes of the last seconds
            await().atMost(Duration.ofSeconds(10)).until(() -> ui.events("server_stats").stream()
                    .anyMatch(s -> s.arg().get("aggregatedEvents").findValuesAsText("type").contains("bytesOut")));

            assertThat(user.emitAndAwaitAck("join", "lobby").arg().asText()).isEqualTo("joined");
            Received joined = await().atMost(Duration.ofSeconds(10)).until(() -> ui.events("room_joined").stream()
                    .filter(r -> r.arg(1).asText().equals("lobby")).findFirst().orElse(null), r -> r != null);
            assertThat(joined.arg(0).asText()).isEqualTo("/chat");
            assertThat(joined.arg(2).asText()).isEqualTo(user.id());
            Received received = await().atMost(Duration.ofSeconds(10)).until(() -> ui.events("event_received").stream()
                    .filter(r -> r.arg(1).asText().equals(user.id())).findFirst().orElse(null), r -> r != null);
            assertThat(received.arg(2)).extracting(JsonNode::asText).containsExactly("join", "lobby");

            assertThat(user.emitAndAwaitAck("name", "ada").arg().asText()).isEqualTo("named");
            Received updated = await().atMost(Duration.ofSeconds(10)).until(() -> ui.events("socket_updated").stream()
                    .filter(r -> r.arg().has("data")).findFirst().orElse(null), r -> r != null);
            assertThat(updated.arg().get("id").asText()).isEqualTo(user.id());
            assertThat(updated.arg().get("data").toString()).isEqualTo("{\"name\":\"ada\"}");

            // commands, by socket id and by room
            ui.emit("emit", "/chat", user.id(), "notice", "hello", 42);
            Received notice = user.awaitEvent("notice");
            assertThat(notice.arg(0).asText()).isEqualTo("hello");
            assertThat(notice.arg(1).asInt()).isEqualTo(42);
            Received sent = await().atMost(Duration.ofSeconds(10)).until(() -> ui.events("event_sent").stream()
                    .filter(r -> r.arg(2).get(0).asText().equals("notice")).findFirst().orElse(null), r -> r != null);
            assertThat(sent.arg(1).asText()).isEqualTo(user.id());
            ui.emit("join", "/chat", "vip", user.id());
            await().atMost(Duration.ofSeconds(10)).until(() -> ui.events("room_joined").stream()
                    .anyMatch(r -> r.arg(1).asText().equals("vip")));
            ui.emit("leave", "/chat", "vip", "lobby");
            await().atMost(Duration.ofSeconds(10)).until(() -> ui.events("room_left").stream()
                    .anyMatch(r -> r.arg(1).asText().equals("vip")));

            try (ClientSocket other = chat.connectAndAwait()) {
                String otherId = other.id();
                Received connected = await().atMost(Duration.ofSeconds(10)).until(() -> ui.events("socket_connected")
                        .stream().filter(r -> r.arg().get("id").asText().equals(otherId)).findFirst().orElse(null),
                        r -> r != null);
                assertThat(connected.arg().get("nsp").asText()).isEqualTo("/chat");
                assertThat(connected.arg(1).asText()).endsWith("Z");
                ui.emit("_disconnect", "/chat", false, otherId);
                assertThat(other.awaitDisconnect()).isEqualTo("io server disconnect");
                Received gone = await().atMost(Duration.ofSeconds(10)).until(() -> ui.events("socket_disconnected")
                        .stream().filter(r -> r.arg(1).asText().equals(otherId)).findFirst().orElse(null),
                        r -> r != null);
                assertThat(gone.arg(0).asText()).isEqualTo("/chat");
                assertThat(gone.arg(2).asText()).isEqualTo("server namespace disconnect");
            }
            assertThat(user.connected()).isTrue();
        }
    }

    @Test
    void thePageIsPresetToThisServer() {
        String index = RestAssured.get("/q/socketio/admin/").then().statusCode(200).extract().asString();
        assertThat(index).contains("Socket.IO Admin UI", "s.setItem('namespace','/admin')",
                "s.setItem('path','/socket.io')", "s.setItem('ws_only','true')", "mdi/css/materialdesignicons.min.css")
                .doesNotContain("fonts.googleapis.com", "cdn.jsdelivr.net");
        String script = index.replaceAll("(?s).*<script src=\"(js/app\\.[^\"]+)\">.*", "$1");
        RestAssured.get("/q/socketio/admin/" + script).then().statusCode(200)
                .contentType("application/javascript; charset=utf-8");
        RestAssured.get("/q/socketio/admin/mdi/css/materialdesignicons.min.css").then().statusCode(200);
        RestAssured.get("/q/socketio/admin/../application.properties").then().statusCode(404);
    }
}
