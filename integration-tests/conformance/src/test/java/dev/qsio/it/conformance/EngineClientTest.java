package dev.qsio.it.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URL;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.qsio.it.support.ClientDriver;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The official {@code engine.io-client} (from npm) against the echo endpoint, on each transport mode.
 */
@QuarkusTest
class EngineClientTest {

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

    void open(String id, Map<String, Object> opts) {
        driver.engineOpen(id, root.toString().replaceAll("/$", ""), opts);
    }

    void echoes(String id) {
        driver.engineSend(id, "hello \u00e9\uD83D\uDE00");
        assertThat(driver.await(id, "message").get("data").asText()).isEqualTo("hello \u00e9\uD83D\uDE00");
        driver.engineSendBinary(id, new byte[] { 1, 2, 3, (byte) 255 });
        JsonNode binary = driver.await(id, "message").get("data");
        assertThat(ClientDriver.unbin(binary)).containsExactly(1, 2, 3, 255);
    }

    @Test
    void pollingOnly() {
        open("p", Map.of("transports", List.of("polling")));
        assertThat(driver.await("p", "open").get("transport").asText()).isEqualTo("polling");
        echoes("p");
        driver.engineClose("p");
        assertThat(driver.await("p", "close").get("reason").asText()).isEqualTo("forced close");
    }

    @Test
    void webSocketOnly() {
        open("w", Map.of("transports", List.of("websocket")));
        assertThat(driver.await("w", "open").get("transport").asText()).isEqualTo("websocket");
        echoes("w");
    }

    @Test
    void pollingThenUpgrade() {
        open("d", Map.of());
        assertThat(driver.await("d", "open").get("transport").asText()).isEqualTo("polling");
        assertThat(driver.await("d", "upgrade").get("transport").asText()).isEqualTo("websocket");
        echoes("d");
    }

    @Test
    void messagesSentDuringTheUpgradeArriveInOrder() {
        open("o", Map.of());
        driver.await("o", "open");
        for (int i = 0; i < 50; i++) {
            driver.engineSend("o", "m" + i);
        }
        for (int i = 0; i < 50; i++) {
            assertThat(driver.await("o", "message").get("data").asText()).isEqualTo("m" + i);
        }
        driver.await("o", "upgrade");
    }

    @jakarta.inject.Inject
    EngineEcho echo;

    @Test
    void serverClosesTheSessionOfAClientThatStoppedAnswering() {
        try (ClientDriver frozen = ClientDriver.start()) {
            frozen.engineOpen("f", root.toString().replaceAll("/$", ""), Map.of("transports", List.of("websocket")));
            String sid = frozen.await("f", "open").get("sid").asText();
            frozen.signal("STOP");
            try {
                // no pong comes back: after pingInterval + pingTimeout (500 ms) the server ends the session
                org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> echo.closed.containsKey(sid));
                assertThat(echo.closed.get(sid)).isEqualTo("ping timeout");
            } finally {
                frozen.signal("CONT");
            }
            assertThat(frozen.await("f", "close").get("reason").asText()).isIn("transport close", "ping timeout");
        }
    }

    @Test
    void heartbeatKeepsAnIdleSessionOpen() {
        open("idle-ws", Map.of("transports", List.of("websocket")));
        open("idle-poll", Map.of("transports", List.of("polling")));
        driver.await("idle-ws", "open");
        driver.await("idle-poll", "open");
        // five ping intervals (300 ms each) with no traffic but the heartbeat
        long until = System.nanoTime() + Duration.ofMillis(1500).toNanos();
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(3)).until(() -> System.nanoTime() > until);
        assertThat(driver.events("idle-ws", "close")).isEmpty();
        assertThat(driver.events("idle-poll", "close")).isEmpty();
        echoes("idle-ws");
        echoes("idle-poll");
    }
}
