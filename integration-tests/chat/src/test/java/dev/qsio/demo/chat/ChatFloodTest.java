package dev.qsio.demo.chat;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URL;
import java.util.List;
import java.util.Map;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.qsio.it.support.ClientDriver;
import dev.qsio.it.support.RawHttp;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The demo's inbound limits (its application.properties) against the official Node client, as the README tells what a
 * flooder sees: a client emitting "chat" far past its burst has its connection closed, what it had in flight is lost,
 * and it comes back by itself; the other clients go on chatting and are not disconnected.
 */
@QuarkusTest
class ChatFloodTest {

    /** Far past the burst of "chat" (5) and its rate (10 a second) for as long as the events take to arrive. */
    static final int FLOOD = 500;

    @TestHTTPResource("/")
    URL root;

    @TestHTTPResource(value = "/", management = true)
    URL management;

    @Test
    void aClientFloodingChatIsCutOffWhileTheOthersChat() {
        try (ClientDriver driver = ClientDriver.start()) {
            for (String id : List.of("flooder", "sender", "reader")) {
                driver.connect(id, root.toString(), Map.of());
                driver.await(id, "connect");
            }
            double limitedBefore = eventsLimited();
            for (int i = 0; i < FLOOD; i++) {
                driver.emitWithAck("flooder", "f" + i, 20_000, "chat", "flood " + i);
                if (i % 100 == 0) {
                    driver.emitWithAck("sender", "s" + i, 20_000, "chat", "still here " + i);
                }
            }
            for (int i = 0; i < FLOOD; i += 100) {
                String text = "still here " + i;
                assertThat(driver.awaitAck("sender", "s" + i).path("args").path(0).path("ok").asBoolean()).as(text).isTrue();
                driver.await(e -> "reader".equals(e.path("id").asText()) && "chat".equals(e.path("name").asText())
                        && text.equals(e.path("args").path(0).path("text").asText()));
            }

            // the server closed the flooder's connection
            assertThat(driver.await("flooder", "disconnect").path("reason").asText()).isEqualTo("transport close");
            // every acknowledgement it waited for settles: an answer for an event let through, the rest lost with the
            // connection (all were emitted while it was connected, so nothing waits to be sent again)
            int lost = 0;
            for (int i = 0; i < FLOOD; i++) {
                JsonNode ack = driver.awaitAck("flooder", "f" + i);
                if (ack.has("error")) {
                    assertThat(ack.path("error").asText()).as("ack " + i).isEqualTo("socket has been disconnected");
                    lost++;
                } else {
                    assertThat(ack.path("args").path(0).path("ok").asBoolean()).as("ack " + i).isTrue();
                }
            }
            assertThat(lost).as("events lost with the connection").isPositive();
            assertThat(eventsLimited()).as("socketio_events_limited_total").isGreaterThan(limitedBefore);

            // it reconnects by itself, and may chat again within the limits
            Awaitility.await().atMost(ClientDriver.TIMEOUT).until(() -> driver.connectedNow("flooder"));
            String back = "back within the limits";
            assertThat(driver.call("flooder", 20_000, "chat", back).path(0).path("ok").asBoolean()).isTrue();
            driver.await(e -> "reader".equals(e.path("id").asText()) && "chat".equals(e.path("name").asText())
                    && back.equals(e.path("args").path(0).path("text").asText()));

            // the others never noticed
            assertThat(driver.events("sender", "disconnect")).isEmpty();
            assertThat(driver.events("reader", "disconnect")).isEmpty();
        }
    }

    /** The events refused past a limit since the start, summed over the series. */
    private double eventsLimited() {
        return RawHttp.get(management + "metrics").body().lines()
                .filter(l -> l.startsWith("socketio_events_limited_total"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }
}
