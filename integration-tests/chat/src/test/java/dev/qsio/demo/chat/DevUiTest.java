package dev.qsio.demo.chat;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.fasterxml.jackson.databind.JsonNode;

import dev.qsio.it.support.ClientDriver;
import io.quarkus.test.QuarkusDevModeTest;

/**
 * The Dev UI card of the extension in headless Chromium: its Sockets page lists a connected client, its Handlers page
 * the demo's handlers, and its link to the Admin UI leads to the Admin UI's login form. Screenshots in
 * {@code target/screenshots}.
 */
class DevUiTest {

    @RegisterExtension
    static final QuarkusDevModeTest test = new QuarkusDevModeTest()
            .withApplicationRoot(root -> root.addClasses(Chat.class, Chat.Hello.class, Chat.Message.class, Chat.Ok.class,
                    Chat.RoomText.class, MessageCounter.class)
                    // the Admin UI on, with the demo's user (admin, password "demo"); no OTLP receiver here
                    .addAsResource(new StringAsset("quarkus.socketio.admin-ui.enabled=true\n"
                            + "quarkus.socketio.admin-ui.username=admin\n"
                            + "quarkus.socketio.admin-ui.password=$2a$10$TtIHvU5TYKIPUxzhP4PG.O84gLo6q7y6dcNH7hVAsneoW6b/i4AY2\n"
                            + "quarkus.otel.sdk.disabled=true\n"), "application.properties"));

    @Test
    void theCardListsAConnectedClient() throws Exception {
        try (ClientDriver driver = ClientDriver.start()) {
            driver.connect("dev", "http://localhost:8080", Map.of("transports", List.of("websocket")));
            String sid = driver.await("dev", "connect").get("sid").asText();
            driver.emitWithAck("dev", "j", 5000, "join", "dev-room");
            driver.awaitAck("dev", "j");
            Path clients = ClientDriver.clientsDir();
            Process p = new ProcessBuilder("node", clients.resolve("devui-sockets.mjs").toString(), "http://localhost:8080", sid,
                    Path.of("target/screenshots").toAbsolutePath().toString())
                    .directory(clients.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            JsonNode result = ClientDriver.JSON.readTree(out.substring(out.lastIndexOf('\n') + 1));
            assertThat(result.get("ok").asBoolean()).as(result.toString()).isTrue();
            assertThat(result.get("summary").asText()).isEqualTo("1 connected socket(s)");
            assertThat(Path.of("target/screenshots/devui-sockets.png")).isNotEmptyFile();
            // served by the application in development mode (no management interface): the page on its port
            assertThat(result.get("adminUrl").asText()).matches("http://localhost:8080/q/socketio/admin/?");
        }
    }
}
