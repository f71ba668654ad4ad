package dev.qsio.test.compression;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPInputStream;
import java.util.zip.InflaterInputStream;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.qsio.test.RawConnection;
import io.quarkus.test.QuarkusUnitTest;

/**
 * The defaults, as Node's: permessage-deflate is not accepted (the HTTP server would offer it to every WebSocket),
 * and polling responses from 1024 bytes up are compressed as the request's Accept-Encoding allows, except packets
 * sent with {@code compress(false)}.
 */
class CompressionDefaultsTest {

    @RegisterExtension
    static final QuarkusUnitTest test = new QuarkusUnitTest()
            .withApplicationRoot(root -> root.addClasses(Bulky.class, RawConnection.class));

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    @Test
    void anOfferOfPermessageDeflateIsNotAccepted() throws Exception {
        try (RawConnection ws = new RawConnection(port)) {
            RawConnection.Response upgrade = ws.upgrade("/socket.io/?EIO=4&transport=websocket",
                    "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n");
            assertThat(upgrade.status()).startsWith("HTTP/1.1 101");
            assertThat(upgrade.header("sec-websocket-extensions")).isNull();
            assertThat(ws.next().text()).startsWith("0{");
            ws.sendText("40");
            assertThat(ws.next().text()).startsWith("40{");
            ws.sendText("42[\"send\",5000]");
            RawConnection.Frame f = ws.next();
            assertThat(f.rsv1()).isFalse();
            assertThat(f.text()).isEqualTo("42[\"text\",\"" + Bulky.text(5000) + "\"]");
        }
    }

    /** A polling session on one kept-alive connection. */
    final class Polling implements AutoCloseable {
        final RawConnection c;
        final String sid;

        Polling() throws IOException {
            c = new RawConnection(port);
            c.write("GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            String open = new String(c.response().body(), StandardCharsets.UTF_8);
            sid = open.substring(open.indexOf("\"sid\":\"") + 7, open.indexOf('"', open.indexOf("\"sid\":\"") + 7));
            post("40");
            get("");
        }

        void post(String payload) throws IOException {
            byte[] body = payload.getBytes(StandardCharsets.UTF_8);
            c.write("POST /socket.io/?EIO=4&transport=polling&sid=" + sid + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Content-Type: text/plain\r\nContent-Length: " + body.length + "\r\n\r\n" + payload);
            assertThat(c.response().status()).startsWith("HTTP/1.1 200");
        }

        RawConnection.Response get(String acceptEncoding) throws IOException {
            c.write("GET /socket.io/?EIO=4&transport=polling&sid=" + sid + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + (acceptEncoding.isEmpty() ? "" : "Accept-Encoding: " + acceptEncoding + "\r\n") + "\r\n");
            return c.response();
        }

        @Override
        public void close() throws IOException {
            c.close();
        }
    }

    static String decoded(RawConnection.Response r) throws IOException {
        String encoding = r.header("content-encoding");
        if (encoding == null) {
            return new String(r.body(), StandardCharsets.UTF_8);
        }
        var in = "gzip".equals(encoding) ? new GZIPInputStream(new ByteArrayInputStream(r.body()))
                : new InflaterInputStream(new ByteArrayInputStream(r.body()));
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }

    @Test
    void pollingResponsesAreCompressedAsTheClientAllows() throws Exception {
        String big = "42[\"text\",\"" + Bulky.text(5000) + "\"]";
        try (Polling p = new Polling()) {
            p.post("42[\"send\",5000]");
            RawConnection.Response gzip = p.get("gzip, deflate, br");
            assertThat(gzip.header("content-encoding")).isEqualTo("gzip");
            assertThat(gzip.body().length).isLessThan(2500);
            assertThat(decoded(gzip)).isEqualTo(big);

            p.post("42[\"send\",5000]");
            RawConnection.Response deflate = p.get("deflate");
            assertThat(deflate.header("content-encoding")).isEqualTo("deflate");
            assertThat(decoded(deflate)).isEqualTo(big);

            p.post("42[\"send\",5000]");
            RawConnection.Response refused = p.get("gzip;q=0, br");
            assertThat(refused.header("content-encoding")).isNull();
            assertThat(decoded(refused)).isEqualTo(big);

            p.post("42[\"send\",500]");
            RawConnection.Response small = p.get("gzip");
            assertThat(small.header("content-encoding")).as("below the 1024-byte threshold").isNull();

            p.post("42[\"send-uncompressed\",5000]");
            RawConnection.Response uncompressed = p.get("gzip");
            assertThat(uncompressed.header("content-encoding")).as("compress(false)").isNull();
            assertThat(decoded(uncompressed)).isEqualTo(big);

            p.post("42[\"broadcast-uncompressed\",5000]");
            RawConnection.Response broadcast = p.get("gzip");
            assertThat(broadcast.header("content-encoding")).as("io.compress(false)").isNull();
            assertThat(decoded(broadcast)).isEqualTo(big);
        }
    }
}
