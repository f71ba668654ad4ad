package dev.qsio.it.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URL;
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
 * The official {@code socket.io-client} (from npm) against the reference behaviour, in each transport mode.
 */
@QuarkusTest
class SocketIoClientTest {

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

    static Map<String, Object> mode(String mode) {
        return switch (mode) {
            case "polling" -> Map.of("transports", List.of("polling"));
            case "websocket" -> Map.of("transports", List.of("websocket"));
            default -> Map.of();
        };
    }

    String url(String namespace) {
        return root.toString().replaceAll("/$", "") + namespace;
    }

    @ParameterizedTest
    @ValueSource(strings = { "polling", "websocket", "default" })
    void connectsEmitsAndAcknowledges(String mode) {
        java.util.HashMap<String, Object> opts = new java.util.HashMap<>(mode(mode));
        opts.put("auth", Map.of("token", "abc"));
        driver.connect("c", url("/"), opts);
        driver.await("c", "connect");
        JsonNode auth = driver.awaitEmit("c", "auth");
        assertThat(auth.get("args").get(0).get("token").asText()).isEqualTo("abc");

        driver.emit("c", "message", 1, "two", Map.of("three", List.of(true)));
        JsonNode back = driver.awaitEmit("c", "message-back");
        assertThat(back.get("args").toString()).isEqualTo("[1,\"two\",{\"three\":[true]}]");

        driver.emitWithAck("c", "a1", 5000, "message-with-ack", "x", 42);
        assertThat(driver.awaitAck("c", "a1").get("args").toString()).isEqualTo("[\"x\"]");

        driver.emit("c", "message", ClientDriver.bin(new byte[] { 9, 8, 7 }), "text");
        JsonNode binary = driver.awaitEmit("c", "message-back");
        assertThat(ClientDriver.unbin(binary.get("args").get(0))).containsExactly(9, 8, 7);
        assertThat(binary.get("args").get(1).asText()).isEqualTo("text");
        if (mode.equals("default")) {
            driver.await("c", "upgrade");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = { "polling", "websocket" })
    void customNamespaceAndRefusedNamespace(String mode) {
        driver.connect("custom", url("/custom"), mode(mode));
        driver.await("custom", "connect");
        driver.awaitEmit("custom", "auth");
        driver.connect("nope", url("/nope"), mode(mode));
        assertThat(driver.await("nope", "connect_error").get("message").asText()).isEqualTo("Invalid namespace");
    }
}
