package dev.qsio.it.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A WebSocket client on a plain socket that writes whatever frames a test asks for (bytes that are not UTF-8 in a
 * text frame, fragments, reserved bits) and reads the server's frames one by one, close frames included; or reads
 * nothing at all, to play a client that does not read.
 */
public final class FrameSocket implements AutoCloseable {

    public static final int CONTINUATION = 0x0, TEXT = 0x1, BINARY = 0x2, CLOSE = 0x8;

    /** A frame from the server. */
    public record Frame(int opcode, byte[] payload) {
        public String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        /** The status code of a close frame, or -1. */
        public int closeCode() {
            return opcode == CLOSE && payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : -1;
        }
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    private FrameSocket(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    /** Opens a WebSocket to {@code path} (with its query) on loopback; {@code receiveBuffer} 0 keeps the default. */
    public static FrameSocket open(int port, String path, int receiveBuffer) throws IOException {
        Socket s = new Socket();
        if (receiveBuffer > 0) {
            s.setReceiveBufferSize(receiveBuffer);
        }
        s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        return upgrade(s, path);
    }

    /** Upgrades a connected socket (an HTTP/1.1 connection between requests) to a WebSocket to {@code path}. */
    public static FrameSocket upgrade(Socket s, String path) throws IOException {
        int port = s.getPort();
        s.setSoTimeout(10_000);
        FrameSocket c = new FrameSocket(s);
        c.out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port
                + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                + "Sec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        String head = c.readHead();
        if (!head.startsWith("HTTP/1.1 101")) {
            s.close();
            throw new IOException("the upgrade was refused: " + head.lines().findFirst().orElse(""));
        }
        return c;
    }

    private String readHead() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        while (!b.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) {
                throw new IOException("closed during the handshake: " + b);
            }
            b.write(c);
        }
        return b.toString(StandardCharsets.US_ASCII);
    }

    /** How long {@link #next()} waits for a byte before it throws {@link SocketTimeoutException} (10 s at first). */
    public FrameSocket readTimeout(Duration timeout) throws IOException {
        socket.setSoTimeout((int) timeout.toMillis());
        return this;
    }

    /** Reads the next frame. */
    public Frame next() throws IOException {
        int b0 = in.read();
        int b1 = in.read();
        if (b0 < 0 || b1 < 0) {
            throw new IOException("closed");
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
        return new Frame(b0 & 0x0f, in.readNBytes((int) length));
    }

    /** Reads frames until a text frame that starts with {@code prefix}; returns it. */
    public String nextTextStartingWith(String prefix) throws IOException {
        while (true) {
            Frame f = next();
            if (f.opcode() == CLOSE) {
                throw new IOException("closed by the server (" + f.closeCode() + ") while waiting for " + prefix);
            }
            if (f.opcode() == TEXT && f.text().startsWith(prefix)) {
                return f.text();
            }
        }
    }

    /** Reads frames until the server's close frame; its code, or -1 when the connection ended without one. */
    public int awaitCloseCode() throws IOException {
        while (true) {
            Frame f;
            try {
                f = next();
            } catch (SocketTimeoutException e) {
                throw e;
            } catch (IOException e) {
                return -1;
            }
            if (f.opcode() == CLOSE) {
                return f.closeCode();
            }
        }
    }

    public void sendText(String text) throws IOException {
        send(TEXT, true, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Writes one masked frame, as a client must: {@code first} is the opcode with any reserved bits (0x70). */
    public void send(int first, boolean fin, byte[] payload) throws IOException {
        byte[] mask = { 1, 2, 3, 4 };
        ByteArrayOutputStream f = new ByteArrayOutputStream();
        f.write((fin ? 0x80 : 0) | first);
        if (payload.length < 126) {
            f.write(0x80 | payload.length);
        } else if (payload.length <= 0xffff) {
            f.write(0x80 | 126);
            f.write(payload.length >> 8);
            f.write(payload.length & 0xff);
        } else {
            f.write(0x80 | 127);
            for (int i = 7; i >= 0; i--) {
                f.write((int) ((long) payload.length >> (8 * i)) & 0xff);
            }
        }
        f.write(mask);
        for (int i = 0; i < payload.length; i++) {
            f.write(payload[i] ^ mask[i % 4]);
        }
        out.write(f.toByteArray());
        out.flush();
    }

    /** Writes bytes as they are: frames a client may not send (unmasked, a length over what follows, garbage). */
    public void sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** Reads what is left: true when the server closed the connection (end of stream or reset) in time. */
    public boolean closedByServer(Duration within) throws IOException {
        long deadline = System.nanoTime() + within.toNanos();
        byte[] sink = new byte[64 * 1024];
        socket.setSoTimeout(1000);
        while (System.nanoTime() < deadline) {
            try {
                if (in.read(sink) < 0) {
                    return true;
                }
            } catch (SocketTimeoutException e) {
                // nothing yet: the connection is open and quiet
                return false;
            } catch (IOException e) {
                return true; // reset
            }
        }
        return false;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
