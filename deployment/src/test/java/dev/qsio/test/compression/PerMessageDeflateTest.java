package dev.qsio.test.compression;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.qsio.test.RawConnection;
import io.quarkus.test.QuarkusUnitTest;

/**
 * {@code quarkus.socketio.per-message-deflate.enabled=true}: a client that offers permessage-deflate gets it; messages
 * from the threshold up are compressed (RSV1 set, and they inflate to what was sent), smaller ones and those sent
 * with {@code compress(false)} (on the socket or the broadcast) are not, and broadcasts to such a client are
 * compressed for it.
 */
class PerMessageDeflateTest {

    @RegisterExtension
    static final QuarkusUnitTest test = new QuarkusUnitTest()
            .withApplicationRoot(root -> root.addClasses(Bulky.class, RawConnection.class))
            .overrideConfigKey("quarkus.socketio.per-message-deflate.enabled", "true")
            .overrideConfigKey("quarkus.socketio.per-message-deflate.threshold", "1000");

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    /** One compressed session: the inflater keeps the window across messages (context takeover). */
    final Inflater inflater = new Inflater(true);

    String inflate(byte[] payload) throws DataFormatException {
        inflater.setInput(concat(payload, new byte[] { 0, 0, (byte) 0xff, (byte) 0xff }));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        int n;
        while ((n = inflater.inflate(buffer)) > 0) {
            out.write(buffer, 0, n);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] c = new byte[a.length + b.length];
        System.arraycopy(a, 0, c, 0, a.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    /** The next message that is not a ping, as text, inflated where compressed. */
    String next(RawConnection ws, boolean expectCompressed) throws Exception {
        RawConnection.Frame f = ws.next();
        while (!f.rsv1() && f.text().equals("2")) {
            ws.sendText("3");
            f = ws.next();
        }
        assertThat(f.rsv1()).as("compressed").isEqualTo(expectCompressed);
        return f.rsv1() ? inflate(f.payload()) : f.text();
    }

    @Test
    void largeMessagesAreCompressedAndSmallOnesAreNot() throws Exception {
        try (RawConnection ws = new RawConnection(port)) {
            RawConnection.Response upgrade = ws.upgrade("/socket.io/?EIO=4&transport=websocket",
                    "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n");
            assertThat(upgrade.status()).startsWith("HTTP/1.1 101");
            assertThat(upgrade.header("sec-websocket-extensions")).startsWith("permessage-deflate");
            assertThat(next(ws, false)).startsWith("0{");
            ws.sendText("40");
            assertThat(next(ws, false)).startsWith("40{");
            ws.sendText("42[\"send\",5000]");
            assertThat(next(ws, true)).isEqualTo("42[\"text\",\"" + Bulky.text(5000) + "\"]");
            ws.sendText("42[\"send\",100]");
            assertThat(next(ws, false)).isEqualTo("42[\"text\",\"" + Bulky.text(100) + "\"]");
            ws.sendText("42[\"send-uncompressed\",5000]");
            assertThat(next(ws, false)).isEqualTo("42[\"text\",\"" + Bulky.text(5000) + "\"]");
            ws.sendText("42[\"broadcast\",3000]");
            assertThat(next(ws, true)).isEqualTo("42[\"text\",\"" + Bulky.text(3000) + "\"]");
            ws.sendText("42[\"broadcast-uncompressed\",3000]");
            assertThat(next(ws, false)).isEqualTo("42[\"text\",\"" + Bulky.text(3000) + "\"]");
            ws.sendText("42[\"broadcast\",10]");
            assertThat(next(ws, false)).isEqualTo("42[\"text\",\"" + Bulky.text(10) + "\"]");
            ws.sendText("42[\"send\",2000]");
            assertThat(next(ws, true)).isEqualTo("42[\"text\",\"" + Bulky.text(2000) + "\"]");
        }
    }

    @Test
    void aClientThatOffersNothingGetsNothingCompressed() throws Exception {
        try (RawConnection ws = new RawConnection(port)) {
            RawConnection.Response upgrade = ws.upgrade("/socket.io/?EIO=4&transport=websocket", "");
            assertThat(upgrade.header("sec-websocket-extensions")).isNull();
            assertThat(next(ws, false)).startsWith("0{");
            ws.sendText("40");
            assertThat(next(ws, false)).startsWith("40{");
            ws.sendText("42[\"send\",5000]");
            assertThat(next(ws, false)).isEqualTo("42[\"text\",\"" + Bulky.text(5000) + "\"]");
        }
    }
}
