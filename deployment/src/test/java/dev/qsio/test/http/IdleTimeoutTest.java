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

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.qsio.test.Failures;
import io.quarkus.test.QuarkusUnitTest;

/**
 * An Engine.IO WebSocket is watched by the Engine.IO heartbeat, not by the HTTP server's idle timeout: with
 * {@code quarkus.http.idle-timeout} shorter than the ping interval, a client that answers every ping stays connected,
 * and one that stops answering is closed at the ping timeout.
 */
class IdleTimeoutTest {

    @RegisterExtension
    static final QuarkusUnitTest test = new QuarkusUnitTest()
            .withApplicationRoot(root -> root.addClasses(Failures.class, Failures.AnyNamespace.class))
            .overrideConfigKey("quarkus.http.idle-timeout", "1s")
            .overrideConfigKey("quarkus.socketio.ping-interval", "2s")
            .overrideConfigKey("quarkus.socketio.ping-timeout", "1s");

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    /** A WebSocket on a raw socket: reads unmasked frames, writes masked text frames. */
    final class RawWebSocket implements AutoCloseable {
        final Socket socket = new Socket();
        final InputStream in;
        final OutputStream out;

        RawWebSocket() throws IOException {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout(10_000);
            in = socket.getInputStream();
            out = socket.getOutputStream();
            out.write(("GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    + "Sec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
                int c = in.read();
                if (c < 0) {
                    throw new IOException("closed during the upgrade: " + head);
                }
                head.write(c);
            }
            assertThat(head.toString(StandardCharsets.US_ASCII)).startsWith("HTTP/1.1 101");
        }

        /** The next text frame's text, or null when the server closed the connection. */
        String next() throws IOException {
            int b0 = in.read();
            int b1 = in.read();
            if (b0 < 0 || b1 < 0 || (b0 & 0x0f) == 0x8) {
                return null;
            }
            int length = b1 & 0x7f;
            if (length == 126) {
                length = (in.read() << 8) | in.read();
            }
            return new String(in.readNBytes(length), StandardCharsets.UTF_8);
        }

        void send(String text) throws IOException {
            byte[] payload = text.getBytes(StandardCharsets.UTF_8);
            // masked with the key 0, which leaves the payload as it is
            out.write(new byte[] { (byte) 0x81, (byte) (0x80 | payload.length), 0, 0, 0, 0 });
            out.write(payload);
            out.flush();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    @Test
    void aClientThatAnswersPingsOutlivesTheHttpIdleTimeout() throws IOException {
        try (RawWebSocket ws = new RawWebSocket()) {
            assertThat(ws.next()).startsWith("0{");
            // three pings 2 s apart: the connection is silent for 2 s at a time, twice the HTTP idle timeout
            for (int i = 0; i < 3; i++) {
                assertThat(ws.next()).as("ping %d", i + 1).isEqualTo("2");
                ws.send("3");
            }
        }
    }

    @Test
    void aClientThatStopsAnsweringIsClosedAtThePingTimeout() throws IOException {
        try (RawWebSocket ws = new RawWebSocket()) {
            assertThat(ws.next()).startsWith("0{");
            assertThat(ws.next()).isEqualTo("2");
            long start = System.nanoTime();
            String next;
            try {
                next = ws.next();
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
