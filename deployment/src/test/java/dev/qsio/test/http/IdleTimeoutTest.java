package dev.qsio.test.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.SocketTimeoutException;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.qsio.test.Failures;
import dev.qsio.test.RawConnection;
import io.quarkus.test.QuarkusUnitTest;

/**
 * An Engine.IO WebSocket is watched by the Engine.IO heartbeat, not by the HTTP server's idle timeout: with
 * {@code quarkus.http.idle-timeout} shorter than the ping interval, a client that answers every ping stays connected,
 * and one that stops answering is closed at the ping timeout.
 */
class IdleTimeoutTest {

    @RegisterExtension
    static final QuarkusUnitTest test = new QuarkusUnitTest()
            .withApplicationRoot(root -> root.addClasses(Failures.class, Failures.AnyNamespace.class, RawConnection.class))
            .overrideConfigKey("quarkus.http.idle-timeout", "1s")
            .overrideConfigKey("quarkus.socketio.ping-interval", "2s")
            .overrideConfigKey("quarkus.socketio.ping-timeout", "1s");

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    /** A WebSocket on a raw connection; its next text, null once the server closed. */
    RawConnection open() throws IOException {
        RawConnection c = new RawConnection(port);
        assertThat(c.upgrade("/socket.io/?EIO=4&transport=websocket", "").status()).startsWith("HTTP/1.1 101");
        return c;
    }

    static String next(RawConnection ws) throws IOException {
        RawConnection.Frame f = ws.next();
        return f == null || f.opcode() == 0x8 ? null : f.text();
    }

    @Test
    void aClientThatAnswersPingsOutlivesTheHttpIdleTimeout() throws IOException {
        try (RawConnection ws = open()) {
            assertThat(next(ws)).startsWith("0{");
            // three pings 2 s apart: the connection is silent for 2 s at a time, twice the HTTP idle timeout
            for (int i = 0; i < 3; i++) {
                assertThat(next(ws)).as("ping %d", i + 1).isEqualTo("2");
                ws.sendText("3");
            }
        }
    }

    @Test
    void aClientThatStopsAnsweringIsClosedAtThePingTimeout() throws IOException {
        try (RawConnection ws = open()) {
            assertThat(next(ws)).startsWith("0{");
            assertThat(next(ws)).isEqualTo("2");
            long start = System.nanoTime();
            String next;
            try {
                next = next(ws);
            } catch (SocketTimeoutException e) {
                throw new AssertionError("not closed within 10 s of an unanswered ping", e);
            } catch (IOException e) {
                next = null;
            }
            assertThat(next).as("what follows an unanswered ping").isNull();
            assertThat((System.nanoTime() - start) / 1_000_000).as("ms from the ping to the close")
                    .isGreaterThanOrEqualTo(900);
        }
    }
}
