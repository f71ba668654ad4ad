package dev.qsio.it.nodesuites;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * {@code engine.io/test/server.js} with {@code maxHttpBufferSize: 5}: the application of
 * {@link EngineMiddlewaresBufferCasesTest} ({@code quarkus.socketio.max-http-buffer-size=5}), which these cases share.
 */
@QuarkusTest
@TestProfile(EngineMiddlewaresBufferCasesTest.FiveBytes.class)
@NodeFile("engine.io/test/server.js")
class ServerBufferCasesTest extends ServerCases {

    static final String LONG = "aasdasdakjhasdkjhasdkjhasdkjhasdkjhasdkjhasdkjha";

    /** A message over the limit ends the session unread. */
    void aLongMessageEndsTheSession(Map<String, Object> options) {
        Client client = open(options);
        socket(client.sid());
        driver.engineSend(client.id(), LONG);
        driver.await(client.id(), "close");
        closeReason(client.sid());
        assertThat(RECEIVED.get(client.sid())).isEmpty();
    }

    @Test
    @NodeCase("server > messages > should not be receiving data when getting a message longer than maxHttpBufferSize when polling")
    void aLongPollingMessageEndsTheSessionUnread() {
        aLongMessageEndsTheSession(Map.of("transports", List.of("polling")));
    }

    @Test
    @NodeCase("server > messages > should not be receiving data when getting a message longer than maxHttpBufferSize (websocket)")
    void aLongWebSocketMessageEndsTheSessionUnread() {
        aLongMessageEndsTheSession(Map.of("transports", List.of("websocket")));
    }

    @Test
    @NodeCase("server > messages > should receive data when getting a message shorter than maxHttpBufferSize when polling")
    void aShortPollingMessageArrives() {
        Client client = open(Map.of("transports", List.of("polling")));
        socket(client.sid());
        driver.engineSend(client.id(), "a");
        await().atMost(Duration.ofSeconds(10)).until(() -> RECEIVED.get(client.sid()).contains("a"));
        assertThat(SOCKETS.get(client.sid()).isOpen()).isTrue();
    }
}
