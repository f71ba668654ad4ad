package dev.qsio.it.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URL;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.qsio.it.support.ClientDriver;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * The official {@code socket.io-client} past an event's own limit ({@code quarkus.socketio.inbound.event."..."}): its
 * acknowledgement callback gets {@code {"error":"rate limited"}}, the connection stays, and other events go on.
 */
@QuarkusTest
@TestProfile(InboundLimitsClientTest.TwoAcknowledgedMessagesAtOnce.class)
class InboundLimitsClientTest {

    public static class TwoAcknowledgedMessagesAtOnce implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.socketio.inbound.event.\"message-with-ack\".per-second", "0.01",
                    "quarkus.socketio.inbound.event.\"message-with-ack\".burst", "2");
        }
    }

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

    @ParameterizedTest
    @ValueSource(strings = { "polling", "websocket" })
    void pastItsLimitAnEventIsAnsweredWithAnError(String transport) {
        String url = root.toString().replaceAll("/$", "") + "/";
        String id = "c-" + transport;
        driver.connect(id, url, Map.of("transports", List.of(transport)));
        driver.await(id, "connect");
        for (int i = 1; i <= 2; i++) {
            driver.emitWithAck(id, "a" + i, 5000, "message-with-ack", "x" + i, i);
            assertThat(driver.awaitAck(id, "a" + i).get("args").toString()).isEqualTo("[\"x" + i + "\"]");
        }
        driver.emitWithAck(id, "a3", 5000, "message-with-ack", "x3", 3);
        assertThat(driver.awaitAck(id, "a3").get("args").toString()).isEqualTo("[{\"error\":\"rate limited\"}]");
        // the connection stays, and an event without a limit of its own goes on
        driver.emit(id, "message", 1, "two");
        assertThat(driver.awaitEmit(id, "message-back").get("args").toString()).isEqualTo("[1,\"two\"]");
        assertThat(driver.connectedNow(id)).isTrue();
    }
}
