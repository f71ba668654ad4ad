package dev.qsio.test.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.fasterxml.jackson.databind.JsonNode;

import dev.qsio.testkit.ClientSocket;
import dev.qsio.testkit.SocketIoConnector;
import io.quarkus.test.QuarkusUnitTest;

/**
 * {@code read-only} offers no command and obeys none; {@code production} sends the statistics only: no socket list,
 * no per-socket event (as Node's {@code mode: "production"}). Also another namespace, and a {@code $2b$} hash.
 */
class AdminUiReadOnlyProductionTest {

    @RegisterExtension
    static final QuarkusUnitTest test = new QuarkusUnitTest()
            .withApplicationRoot(root -> root.addClasses(Chat.class))
            .overrideConfigKey("quarkus.socketio.admin-ui.enabled", "true")
            .overrideConfigKey("quarkus.socketio.admin-ui.username", "admin")
            .overrideConfigKey("quarkus.socketio.admin-ui.password", Chat.HASH_2A.replace("$2a$", "$2b$"))
            .overrideConfigKey("quarkus.socketio.admin-ui.namespace", "/ops")
            .overrideConfigKey("quarkus.socketio.admin-ui.read-only", "true")
            .overrideConfigKey("quarkus.socketio.admin-ui.mode", "production");

    @Test
    void commandsAreRefusedAndOnlyStatsAreSent() {
        try (ClientSocket user = SocketIoConnector.create().namespace("/chat").connectAndAwait();
                ClientSocket ui = SocketIoConnector.create().namespace("/ops")
                        .auth(Map.of("username", "admin", "password", "s3cret")).connectAndAwait()) {
            ui.awaitEvent("session");
            assertThat(ui.awaitEvent("config").arg().get("supportedFeatures")).extracting(JsonNode::asText)
                    .containsExactly("AGGREGATED_EVENTS");
            ui.emit("emit", "/chat", user.id(), "notice", "hello");
            ui.emit("_disconnect", "/chat", true, user.id());
            ui.emit("join", "/chat", "vip", user.id());
            assertThat(user.emitAndAwaitAck("join", "lobby").arg().asText()).isEqualTo("joined");
            // two rounds of statistics after the commands: they were read long before
            int seen = ui.events("server_stats").size();
            await().atMost(Duration.ofSeconds(10)).until(() -> ui.events("server_stats").size() >= seen + 2);
            assertThat(user.connected()).isTrue();
            assertThat(user.events("notice")).isEmpty();
            JsonNode stats = ui.events("server_stats").get(ui.events("server_stats").size() - 1).arg();
            assertThat(stats.get("namespaces").findValuesAsText("name")).contains("/chat", "/ops");
            assertThat(ui.events()).extracting(r -> r.event()).containsOnly("session", "config", "server_stats");
        }
    }
}
