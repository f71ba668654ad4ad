package dev.qsio.runtime.engine;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import io.vertx.core.buffer.Buffer;

/**
 * One Engine.IO packet: a type and an optional text or binary body.
 * <p>
 * Packets are immutable and may be sent to many sessions: the encoded forms (a WebSocket frame body, a polling
 * segment) are computed on first use and then shared, so a broadcast encodes once whatever the number of
 * recipients.
 */
public final class EnginePacket {

    static final EnginePacket PING = new EnginePacket(EnginePacketType.PING, null, null);
    static final EnginePacket PONG = new EnginePacket(EnginePacketType.PONG, null, null);
    public static final EnginePacket NOOP = new EnginePacket(EnginePacketType.NOOP, null, null);
    public static final EnginePacket CLOSE = new EnginePacket(EnginePacketType.CLOSE, null, null);
    static final EnginePacket UPGRADE = new EnginePacket(EnginePacketType.UPGRADE, null, null);
    static final EnginePacket PROBE_PONG = new EnginePacket(EnginePacketType.PONG, "probe", null);

    final EnginePacketType type;
    final String text;
    final Buffer binary;
    /** False for a packet sent with {@code compress(false)}: never compressed. */
    private final boolean compress;
    /**
     * For a packet a slow client may miss under the {@code drop-oldest} policy: what its drops are counted under (the
     * Socket.IO namespace); null for a packet every client gets or loses its session over.
     */
    private final String dropGroup;

    private volatile Buffer frame;
    private volatile Buffer frame3;
    private volatile String segment;

    EnginePacket(EnginePacketType type, String text, Buffer binary) {
        this(type, text, binary, true);
    }

    private EnginePacket(EnginePacketType type, String text, Buffer binary, boolean compress) {
        this(type, text, binary, compress, null);
    }

    private EnginePacket(EnginePacketType type, String text, Buffer binary, boolean compress, String dropGroup) {
        this.type = type;
        this.text = text;
        this.binary = binary;
        this.compress = compress;
        this.dropGroup = dropGroup;
    }

    /** The same packet, never compressed (Node's {@code compress(false)}). */
    public EnginePacket uncompressed() {
        return compress ? new EnginePacket(type, text, binary, false, dropGroup) : this;
    }

    /**
     * The same packet, which a client that does not keep up may miss, its oldest first ({@link SlowConsumers}'s
     * {@code drop-oldest}); the drops are counted under {@code group} and told to the layer above when the client
     * caught up ({@link SessionHandler#onDropped}).
     */
    public EnginePacket droppable(String group) {
        return new EnginePacket(type, text, binary, compress, group);
    }

    /** What a drop of this packet is counted under, or null when it is never dropped for a slow client. */
    public String dropGroup() {
        return dropGroup;
    }

    /** Whether the packet may be compressed (when large enough and agreed on). */
    public boolean compress() {
        return compress;
    }

    /** A text message packet. */
    public static EnginePacket message(String text) {
        return new EnginePacket(EnginePacketType.MESSAGE, text, null);
    }

    /** A binary message packet. */
    public static EnginePacket message(Buffer data) {
        return new EnginePacket(EnginePacketType.MESSAGE, null, data);
    }

    public EnginePacketType type() {
        return type;
    }

    public boolean isBinary() {
        return binary != null;
    }

    /** The text body, or {@code null}. */
    public String text() {
        return text;
    }

    /** The binary body, or {@code null}. */
    public Buffer binary() {
        return binary;
    }

    /**
     * The body of the WebSocket frame for this packet: the raw bytes for a binary message (sent as a binary
     * frame), otherwise the UTF-8 of the type digit followed by the text (sent as a text frame).
     */
    public Buffer frame() {
        Buffer f = frame;
        if (f == null) {
            if (binary != null) {
                f = binary;
            } else {
                byte[] body = text == null ? new byte[0] : text.getBytes(StandardCharsets.UTF_8);
                byte[] bytes = new byte[body.length + 1];
                bytes[0] = (byte) type.code;
                System.arraycopy(body, 0, bytes, 1, body.length);
                f = Buffer.buffer(bytes);
            }
            frame = f;
        }
        return f;
    }

    /**
     * The body of the WebSocket frame for this packet to a client of protocol revision 3 ({@code eio3}): as
     * {@link #frame()}, but a binary message starts with its type byte ({@link Eio3Codec}).
     */
    public Buffer frame(boolean eio3) {
        if (!eio3 || binary == null) {
            return frame();
        }
        Buffer f = frame3;
        if (f == null) {
            f = Eio3Codec.frame(binary);
            frame3 = f;
        }
        return f;
    }

    /** The text form of this packet inside a polling payload: binary bodies are base64 with a {@code b} prefix. */
    public String segment() {
        String s = segment;
        if (s == null) {
            if (binary != null) {
                s = "b" + Base64.getEncoder().encodeToString(binary.getBytes());
            } else if (text == null) {
                s = String.valueOf(type.code);
            } else {
                s = type.code + text;
            }
            segment = s;
        }
        return s;
    }

    /** About the bytes this packet holds (characters for text), for the session's buffer bound. */
    public int size() {
        return 1 + (binary != null ? binary.length() : text != null ? text.length() : 0);
    }

    @Override
    public String toString() {
        return binary != null ? type + "<binary " + binary.length() + " bytes>" : type + (text == null ? "" : " " + text);
    }
}
