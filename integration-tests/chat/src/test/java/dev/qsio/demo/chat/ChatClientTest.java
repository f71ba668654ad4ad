package dev.qsio.demo.chat;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URL;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.qsio.it.support.ClientDriver;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/** The demo's contract, with the Node {@code socket.io-client}. */
@QuarkusTest
class ChatClientTest {

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

    JsonNode connect(String id, List<String> transports) {
        driver.connect(id, root.toString(), transports == null ? Map.of() : Map.of("transports", transports));
        driver.await(id, "connect");
        return driver.awaitEmit(id, "hello").get("args").get(0);
    }

    @Test
    void helloChatRoomsAndHttpBroadcast() {
        JsonNode hello = connect("a", List.of("polling"));
        assertThat(hello.get("worker").asInt()).isZero();
        assertThat(hello.get("pid").asLong()).isEqualTo(ProcessHandle.current().pid());
        assertThat(hello.get("node").asText()).isNotBlank();
        connect("b", List.of("websocket"));
        connect("c", null);

        driver.emitWithAck("a", "chat1", 5000, "chat", "hi all");
        JsonNode ack = driver.awaitAck("a", "chat1").get("args").get(0);
        assertThat(ack.get("ok").asBoolean()).isTrue();
        assertThat(ack.get("worker").asInt()).isZero();
        for (String other : List.of("b", "c")) {
            JsonNode chat = driver.awaitEmit(other, "chat").get("args").get(0);
            assertThat(chat.get("text").asText()).isEqualTo("hi all");
            assertThat(chat.get("from").asText()).isEqualTo(driver.events("a", "connect").get(0).get("sid").asText());
            assertThat(chat.get("worker").asInt()).isZero();
        }

        driver.emitWithAck("b", "j1", 5000, "join", "blue");
        assertThat(driver.awaitAck("b", "j1").get("args").get(0).get("ok").asBoolean()).isTrue();
        driver.emitWithAck("c", "j2", 5000, "join", "blue");
        driver.awaitAck("c", "j2");
        driver.emit("b", "room", Map.of("room", "blue", "text", "blue only"));
        assertThat(driver.awaitEmit("c", "chat").get("args").get(0).get("text").asText()).isEqualTo("blue only");

        given().contentType(ContentType.JSON).body(Map.of("event", "announcement", "data", Map.of("v", 1)))
                .post("/api/broadcast").then().statusCode(202);
        for (String id : List.of("a", "b", "c")) {
            assertThat(driver.awaitEmit(id, "announcement").get("args").get(0).get("v").asInt()).isEqualTo(1);
        }
        given().contentType(ContentType.JSON).body(Map.of("data", 1)).post("/api/broadcast").then().statusCode(400);
        given().get("/api/whoami").then().statusCode(200).body("worker", org.hamcrest.Matchers.equalTo(0));

        // the sender never got its own message, and "a" is not in the blue room
        assertThat(driver.events(e -> "a".equals(e.path("id").asText()) && "chat".equals(e.path("name").asText()))).isEmpty();
        assertThat(driver.events(e -> "b".equals(e.path("id").asText()) && "chat".equals(e.path("name").asText())))
                .hasSize(1);
    }

    @Test
    void servesThePageAndTheClientBundle() {
        given().get("/").then().statusCode(200).body(org.hamcrest.Matchers.containsString("/socket.io/socket.io.min.js"));
        given().get("/socket.io/socket.io.min.js").then().statusCode(200)
                .contentType(org.hamcrest.Matchers.startsWith("application/javascript"));
    }
}
