package dev.qsio.it.features;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URL;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;

import dev.qsio.it.support.ClientDriver;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * An {@code AsyncHandshakeFilter} ({@link Tickets}, a store that answers later on another thread) with the official
 * Node {@code socket.io-client}, on each transport it may start with: a ticket the store knows connects; an unknown
 * one gets {@code connect_error} with the refusal (on polling the 403's body carries its message, which a WebSocket
 * client cannot read: it sees the status).
 */
@QuarkusTest
class HandshakeTicketsTest {

    @TestHTTPResource("/")
    URL root;

    ClientDriver driver;

    @BeforeEach
    void start() {
        driver = ClientDriver.start();
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    /** The client's options: {@code polling-first} (its default), or one transport only; the ticket; no reconnection. */
    static Map<String, Object> opts(String mode, String ticket) {
        Map<String, Object> o = new HashMap<>();
        if (!mode.equals("polling-first")) {
            o.put("transports", List.of(mode));
        }
        o.put("query", Map.of("ticket", ticket));
        o.put("reconnection", false);
        return o;
    }

    @ParameterizedTest
    @ValueSource(strings = { "polling-first", "websocket", "polling" })
    void aTicketTheStoreKnowsConnectsAndAnUnknownOneIsRefused(String mode) throws Exception {
        String url = root.toString().replaceAll("/$", "") + "/";
        driver.connect("known", url, opts(mode, "valid-ticket"));
        // the transport the session opened with: the namespace's answer may come on either when the client upgrades
        // at once (its WebSocket probe can finish before the poll that brings the answer)
        JsonNode opened = driver.await("known", "engine_open");
        assertThat(opened.get("transport").asText()).isEqualTo(mode.equals("websocket") ? "websocket" : "polling");
        driver.await("known", "connect");
        if (mode.equals("polling-first")) {
            assertThat(driver.await("known", "upgrade").get("transport").asText()).isEqualTo("websocket");
        }

        driver.connect("unknown", url, opts(mode, "forged"));
        JsonNode refused = driver.await("unknown", "connect_error");
        if (mode.equals("websocket")) {
            assertThat(refused.get("message").asText()).isEqualTo("websocket error");
            assertThat(refused.get("description").asText()).contains("403");
        } else {
            assertThat(refused.get("message").asText()).isEqualTo("xhr poll error");
            assertThat(refused.get("description").asText()).isEqualTo("403");
            JsonNode body = ClientDriver.JSON.readTree(refused.get("body").asText());
            assertThat(body.get("code").asInt()).isEqualTo(4);
            assertThat(body.get("message").asText()).isEqualTo("Unknown ticket");
        }
        assertThat(driver.events(e -> "unknown".equals(e.path("id").asText()) && "connect".equals(e.path("event").asText())))
                .isEmpty();
    }
}
