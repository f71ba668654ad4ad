package dev.qsio.test.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.qsio.test.Failures;
import io.quarkus.test.QuarkusUnitTest;

/**
 * Request heads that trickle in (slow-loris) are cut at {@code quarkus.socketio.header-timeout}, on a new connection
 * and on a kept-alive one; nothing else is: an idle kept-alive connection, a long poll and a WebSocket outlive it.
 */
class HeaderTimeoutTest {

    @RegisterExtension
    static final QuarkusUnitTest test = new QuarkusUnitTest()
            .withApplicationRoot(root -> root.addClasses(Failures.class, Failures.AnyNamespace.class))
            .overrideConfigKey("quarkus.socketio.header-timeout", "1s")
            .overrideConfigKey("quarkus.socketio.ping-interval", "3s");

    private static final Duration TIMEOUT = Duration.ofSeconds(1);

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    /** A raw HTTP/1.1 connection. */
    final class Connection implements AutoCloseable {
        final Socket socket = new Socket();
        final InputStream in;
        final OutputStream out;

        Connection() throws IOException {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            in = socket.getInputStream();
            out = socket.getOutputStream();
        }

        void write(String s) throws IOException {
            out.write(s.getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }

        /** Reads one response head and its Content-Length body; returns the status line and body. */
        String response() throws IOException {
            socket.setSoTimeout(10_000);
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
                int c = in.read();
                if (c < 0) {
                    throw new IOException("closed after " + head);
                }
                head.write(c);
            }
            String h = head.toString(StandardCharsets.US_ASCII);
            int length = h.lines().filter(l -> l.toLowerCase().startsWith("content-length:"))
                    .map(l -> Integer.parseInt(l.substring(15).trim())).findFirst().orElse(0);
            return h.lines().findFirst().orElse("") + "\n" + new String(in.readNBytes(length), StandardCharsets.UTF_8);
        }

        /** Whether the server closes the connection (end of stream or reset) within {@code within}. */
        boolean closedWithin(Duration within) throws IOException {
            socket.setSoTimeout((int) within.toMillis());
            try {
                return in.read() < 0;
            } catch (SocketTimeoutException e) {
                return false;
            } catch (IOException e) {
                return true;
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    static String get(String path) {
        return "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    }

    @BeforeEach
    void firstRequestOnThePort() throws IOException {
        // the deadline applies to connections accepted after the first request on a port
        try (Connection c = new Connection()) {
            c.write(get("/nothing"));
            assertThat(c.response()).startsWith("HTTP/1.1 404");
        }
    }

    @Test
    void aHeadThatTricklesInIsCut() throws IOException {
        try (Connection c = new Connection()) {
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
        try (Connection c = new Connection()) {
            assertThat(c.closedWithin(Duration.ofSeconds(6))).isTrue();
        }
    }

    @Test
    void anIdleKeptAliveConnectionIsNotCutButItsNextHeadIsTimed() throws IOException {
        try (Connection c = new Connection()) {
            c.write(get("/nothing"));
            assertThat(c.response()).startsWith("HTTP/1.1 404");
            assertThat(c.closedWithin(TIMEOUT.multipliedBy(2))).as("idle after a response: left alone").isFalse();
            c.write(get("/nothing"));
            assertThat(c.response()).startsWith("HTTP/1.1 404");
            // the next head starts, and stops
            c.write("GET /nothing HTTP/1.1\r\nHo");
            assertThat(c.closedWithin(Duration.ofSeconds(6))).as("an unfinished head on a kept-alive connection").isTrue();
        }
    }

    @Test
    void aLongPollOutlivesTheTimeout() throws IOException {
        try (Connection c = new Connection()) {
            c.write(get("/socket.io/?EIO=4&transport=polling"));
            String open = c.response();
            assertThat(open).startsWith("HTTP/1.1 200");
            String sid = open.substring(open.indexOf("\"sid\":\"") + 7).split("\"")[0];
            long start = System.nanoTime();
            // parked until the server's ping, 3 s later
            c.write(get("/socket.io/?EIO=4&transport=polling&sid=" + sid));
            String ping = c.response();
            assertThat(ping).startsWith("HTTP/1.1 200").endsWith("2");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThan(TIMEOUT.multipliedBy(2));
        }
    }

    @Test
    void aWebSocketOutlivesTheTimeout() throws IOException {
        try (Connection c = new Connection()) {
            c.write("GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
            assertThat(c.response()).startsWith("HTTP/1.1 101");
            // the open packet, then silence until the ping at 3 s
            int b0 = c.in.read();
            int length = c.in.read() & 0x7f;
            assertThat(b0).isEqualTo(0x81);
            assertThat(new String(c.in.readNBytes(length), StandardCharsets.UTF_8)).startsWith("0{");
            assertThat(c.closedWithin(TIMEOUT.multipliedBy(2))).isFalse();
        }
    }
}
