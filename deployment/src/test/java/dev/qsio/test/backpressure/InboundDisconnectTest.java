package dev.qsio.test.backpressure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URL;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.qsio.test.RawConnection;
import dev.qsio.test.backpressure.SlowClients.Client;
import io.quarkus.test.QuarkusUnitTest;
import io.quarkus.test.common.http.TestHTTPResource;

/** With {@code inbound.exceeded=disconnect}, a client past its limit is disconnected with reason "rate limited". */
class InboundDisconnectTest {

    @RegisterExtension
    static final QuarkusUnitTest test = new QuarkusUnitTest()
            .withApplicationRoot(SlowClients::addTo)
            .overrideConfigKey("quarkus.socketio.inbound.events-per-second", "1")
            .overrideConfigKey("quarkus.socketio.inbound.event-burst", "3")
            .overrideConfigKey("quarkus.socketio.inbound.exceeded", "disconnect");

    @TestHTTPResource("/")
    URL root;

    @Test
    void aFloodingClientIsDisconnected() throws Exception {
        try (Client flood = SlowClients.connect(root.getPort()); Client quiet = SlowClients.connect(root.getPort())) {
            for (int i = 0; i < 20; i++) {
                flood.connection().sendText("42[\"echo\",\"f" + i + "\"]");
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> SlowClients.App.REASONS.containsKey(flood.id()));
            assertThat(SlowClients.App.REASONS.get(flood.id())).isEqualTo("rate limited");
            // a graceful close: the close frame (normal closure) comes after what was sent; the client answers it, as
            // every WebSocket client does, and the server then ends the connection (it waits for that answer up to
            // 10 s, so a client that does not answer would race the assertion's own timeout)
            RawConnection.Frame close = flood.closeFrame();
            assertThat(((close.payload()[0] & 0xff) << 8) | (close.payload()[1] & 0xff)).isEqualTo(1000);
            flood.connection().sendClose(1000);
            assertThat(flood.endedWithin(Duration.ofSeconds(10))).isTrue();
            // the other client of the same address is not touched
            assertThat(quiet.ask(1, "echo", "still")).isEqualTo("[\"still\"]");
            assertThat(quiet.socket().connected()).isTrue();
        }
    }
}
