package dev.qsio.it.nodesuites;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.jupiter.api.Test;

import dev.qsio.EngineIoEndpoint;
import dev.qsio.EngineIoHandler;
import dev.qsio.EngineIoSocket;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * {@code engine.io/test/engine.io.js}: Node's engine module and its attachment to a Node {@code http.Server}. Here
 * raw Engine.IO is an {@link EngineIoEndpoint} bean at a path of the application's HTTP server ({@code /engine.io/},
 * Node's default path); most of the file's cases construct or attach Node's objects and are written off.
 */
@QuarkusTest
@NodeFile("engine.io/test/engine.io.js")
class EngineCasesTest extends NodeCases {

    /** The protocol revision of each session the endpoint opened, by its id. */
    static final Map<String, Integer> PROTOCOLS = new ConcurrentHashMap<>();
    /** The sessions the endpoint received a message from, by id. */
    static final Map<String, String> RECEIVED = new ConcurrentHashMap<>();

    @EngineIoEndpoint("/engine.io/")
    public static class Echo implements EngineIoHandler {
        @Override
        public void onOpen(EngineIoSocket socket) {
            PROTOCOLS.put(socket.id(), socket.protocol());
        }

        @Override
        public void onMessage(EngineIoSocket socket, String text) {
            RECEIVED.put(socket.id(), text);
            socket.send(text);
        }
    }

    /** Node's module exports the protocol's revision; here each session says the one it speaks. */
    @Test
    @NodeCase("engine > should expose protocol number")
    void aSessionSaysItsProtocol() {
        String id = "e" + System.nanoTime();
        driver.engineOpen(id, url("/engine.io/"), Map.of());
        String sid = driver.await(id, "open").path("sid").asText();
        await().atMost(Duration.ofSeconds(10)).until(() -> PROTOCOLS.containsKey(sid));
        assertThat(PROTOCOLS.get(sid)).isEqualTo(4);
    }

    @Test
    @NodeCase("engine > attach() > should attach engine to an http server")
    void theEnginesPathRefusesARequestWithoutTransport() {
        Response res = given().when().get(url("/engine.io/"));
        assertThat(res.statusCode()).isEqualTo(400);
        assertThat(res.jsonPath().getInt("code")).isZero();
        assertThat(res.jsonPath().getString("message")).isEqualTo("Transport unknown");
    }
}
