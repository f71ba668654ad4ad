package dev.qsio.test.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.qsio.test.Failures;
import dev.qsio.test.RawConnection;
import io.quarkus.test.QuarkusUnitTest;

/**
 * Request heads that trickle in (slow-loris) are cut at {@code quarkus.socketio.header-timeout}, on a new connection
 * and on a kept-alive one; nothing else is: an idle kept-alive connection, a long poll and a WebSocket outlive it.
 */
class HeaderTimeoutTest {

    @RegisterExtension
    static final QuarkusUnitTest test = new QuarkusUnitTest()
            .withApplicationRoot(root -> root.addClasses(Failures.class, Failures.AnyNamespace.class, RawConnection.class))
            .overrideConfigKey("quarkus.socketio.header-timeout", "1s")
            .overrideConfigKey("quarkus.socketio.ping-interval", "3s");

    private static final Duration TIMEOUT = Duration.ofSeconds(1);

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    static String get(String path) {
        return "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    }

    @Test
    void aHeadThatTricklesInIsCut() throws IOException {
        try (RawConnection c = new RawConnection(port)) {
            long start = System.nanoTime();
            String head = "GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ";
            boolean closed = false;
            // one byte every 100 ms: the head would take far longer than the timeout
            for (int i = 0; i < 100 && !closed; i++) {
                try {
                    c.write(String.valueOf(head.charAt(i % head.length())));
                } catch (IOException e) {
                    closed = true;
                    break;
                }
                closed = c.closedWithin(Duration.ofMillis(100));
            }
            assertThat(closed).as("the connection is closed before its head completes").isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(TIMEOUT)
                    .isLessThan(Duration.ofSeconds(6));
        }
    }

    @Test
    void aConnectionThatSendsNothingIsCut() throws IOException {
        try (RawConnection c = new RawConnection(port)) {
            assertThat(c.closedWithin(Duration.ofSeconds(6))).isTrue();
        }
    }

    @Test
    void anIdleKeptAliveConnectionIsNotCutButItsNextHeadIsTimed() throws IOException {
        try (RawConnection c = new RawConnection(port)) {
            c.write(get("/nothing"));
            assertThat(c.response().status()).startsWith("HTTP/1.1 404");
            assertThat(c.closedWithin(TIMEOUT.multipliedBy(2))).as("idle after a response: left alone").isFalse();
            c.write(get("/nothing"));
            assertThat(c.response().status()).startsWith("HTTP/1.1 404");
            // the next head starts, and stops
            c.write("GET /nothing HTTP/1.1\r\nHo");
            assertThat(c.closedWithin(Duration.ofSeconds(6))).as("an unfinished head on a kept-alive connection").isTrue();
        }
    }

    @Test
    void aLongPollOutlivesTheTimeout() throws IOException {
        try (RawConnection c = new RawConnection(port)) {
            c.write(get("/socket.io/?EIO=4&transport=polling"));
            RawConnection.Response response = c.response();
            assertThat(response.status()).startsWith("HTTP/1.1 200");
            String open = new String(response.body(), StandardCharsets.UTF_8);
            String sid = open.substring(open.indexOf("\"sid\":\"") + 7).split("\"")[0];
            long start = System.nanoTime();
            // parked until the server's ping, 3 s later
            c.write(get("/socket.io/?EIO=4&transport=polling&sid=" + sid));
            RawConnection.Response ping = c.response();
            assertThat(ping.status()).startsWith("HTTP/1.1 200");
            assertThat(new String(ping.body(), StandardCharsets.UTF_8)).endsWith("2");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThan(TIMEOUT.multipliedBy(2));
        }
    }

    @Test
    void aWebSocketOutlivesTheTimeout() throws IOException {
        try (RawConnection c = new RawConnection(port)) {
            assertThat(c.upgrade("/socket.io/?EIO=4&transport=websocket", "").status()).startsWith("HTTP/1.1 101");
            // the open packet, then silence until the ping at 3 s
            RawConnection.Frame open = c.next();
            assertThat(open.opcode()).isEqualTo(0x1);
            assertThat(open.text()).startsWith("0{");
            assertThat(c.closedWithin(TIMEOUT.multipliedBy(2))).isFalse();
        }
    }
}
