package dev.qsio.test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;

/**
 * An HTTP/1.1 connection on a raw socket, for tests that look at the bytes: responses with their heads, and after
 * an upgrade the WebSocket frames as they are on the wire (reserved bits included). Client frames are masked with
 * the key 0, which leaves the payload as it is.
 */
public final class RawConnection implements AutoCloseable {

    public final Socket socket = new Socket();
    public final InputStream in;
    public final OutputStream out;

    public RawConnection(int port) throws IOException {
        this(port, 0);
    }

    /** A connection with a receive buffer of {@code receiveBuffer} bytes (0: the system's), as a slow reader has. */
    public RawConnection(int port, int receiveBuffer) throws IOException {
        if (receiveBuffer > 0) {
            socket.setReceiveBufferSize(receiveBuffer);
        }
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        socket.setSoTimeout(10_000);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    /** A response: its head (status line and headers) and its body as sent (Content-Length). */
    public record Response(String head, byte[] body) {

        public String status() {
            return head.lines().findFirst().orElse("");
        }

        /** A header's value (the name case-insensitive), or null. */
        public String header(String name) {
            String prefix = name.toLowerCase(Locale.ROOT) + ":";
            return head.lines().filter(l -> l.toLowerCase(Locale.ROOT).startsWith(prefix))
                    .map(l -> l.substring(prefix.length()).trim()).findFirst().orElse(null);
        }
    }

    /** A WebSocket frame: its opcode, whether RSV1 (compressed, with permessage-deflate) is set, its payload. */
    public record Frame(int opcode, boolean rsv1, byte[] payload) {

        public String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }
    }

    public void write(String s) throws IOException {
        out.write(s.getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    /** Reads one response head and its Content-Length body. */
    public Response response() throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) {
                throw new IOException("closed after " + head);
            }
            head.write(c);
        }
        Response r = new Response(head.toString(StandardCharsets.US_ASCII), new byte[0]);
        String length = r.header("content-length");
        return new Response(r.head(), length == null ? new byte[0] : in.readNBytes(Integer.parseInt(length)));
    }

    /** Sends a WebSocket upgrade for {@code path} with extra header lines, and reads the answer's head. */
    public Response upgrade(String path, String extraHeaders) throws IOException {
        write("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n" + extraHeaders + "\r\n");
        return response();
    }

    /** Whether the server closes the connection (end of stream or reset) within {@code within}. */
    public boolean closedWithin(Duration within) throws IOException {
        socket.setSoTimeout((int) within.toMillis());
        try {
            return in.read() < 0;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        } finally {
            if (!socket.isClosed()) {
                socket.setSoTimeout(10_000);
            }
        }
    }

    /** The next frame; null when the connection ended. */
    public Frame next() throws IOException {
        int b0 = in.read();
        int b1 = in.read();
        if (b0 < 0 || b1 < 0) {
            return null;
        }
        long length = b1 & 0x7f;
        if (length == 126) {
            length = (in.read() << 8) | in.read();
        } else if (length == 127) {
            length = 0;
            for (int i = 0; i < 8; i++) {
                length = (length << 8) | in.read();
            }
        }
        return new Frame(b0 & 0x0f, (b0 & 0x40) != 0, in.readNBytes((int) length));
    }

    /** Sends a text frame (payloads under 64 KB). */
    public void sendText(String text) throws IOException {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        if (payload.length < 126) {
            out.write(new byte[] { (byte) 0x81, (byte) (0x80 | payload.length), 0, 0, 0, 0 });
        } else {
            out.write(new byte[] { (byte) 0x81, (byte) (0x80 | 126), (byte) (payload.length >> 8), (byte) payload.length,
                    0, 0, 0, 0 });
        }
        out.write(payload);
        out.flush();
    }

    /** Answers a close frame as a client does: a close frame with the same code. */
    public void sendClose(int code) throws IOException {
        out.write(new byte[] { (byte) 0x88, (byte) (0x80 | 2), 0, 0, 0, 0, (byte) (code >> 8), (byte) code });
        out.flush();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
