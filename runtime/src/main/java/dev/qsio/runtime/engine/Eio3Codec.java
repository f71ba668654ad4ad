package dev.qsio.runtime.engine;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.vertx.core.buffer.Buffer;

/**
 * The framing of Engine.IO protocol revision 3, spoken by Socket.IO 2.x clients (and Node's server with
 * {@code allowEIO3}), where it differs from revision 4 ({@link EngineCodec}):
 * <ul>
 * <li>a polling payload as text is each packet prefixed with its length in UTF-16 code units and a colon
 * ({@code 6:4hello2:40}), a binary message in it being {@code b4} and the base64 of its bytes;</li>
 * <li>a polling payload as bytes (when a packet is binary and the client did not ask for base64 with {@code b64})
 * is, per packet, 0 for text or 1 for binary, the decimal digits of its length as byte values 0 to 9, 255, then the
 * packet: the UTF-8 of a text packet, or the type byte (4) and the bytes of a binary one;</li>
 * <li>a binary WebSocket frame is the type byte (4) followed by the bytes.</li>
 * </ul>
 * The packets themselves are the same, but for the heartbeat's direction (see {@link EngineSession}).
 */
public final class Eio3Codec {

    static final String OCTET_STREAM = "application/octet-stream";
    private static final byte MESSAGE = (byte) (EnginePacketType.MESSAGE.code - '0');
    /** The longest length prefix read: a length past int range is malformed. */
    private static final int MAX_LENGTH_DIGITS = 10;

    private Eio3Codec() {
    }

    /** A polling payload, encoded: its bytes and whether they are the binary form. */
    record Payload(Buffer bytes, boolean binary) {
    }

    /**
     * Encodes packets as a polling payload: the binary form when one of them is binary and the client reads bytes
     * ({@code supportsBinary}, no {@code b64} parameter), otherwise text.
     */
    static Payload encodePayload(List<EnginePacket> packets, boolean supportsBinary) {
        boolean anyBinary = false;
        for (EnginePacket p : packets) {
            anyBinary |= p.isBinary();
        }
        if (supportsBinary && anyBinary) {
            Buffer out = Buffer.buffer();
            for (EnginePacket p : packets) {
                byte[] body = p.isBinary() ? null : p.segment().getBytes(StandardCharsets.UTF_8);
                int length = body == null ? p.binary.length() + 1 : body.length;
                out.appendByte((byte) (body == null ? 1 : 0));
                String digits = Integer.toString(length);
                for (int i = 0; i < digits.length(); i++) {
                    out.appendByte((byte) (digits.charAt(i) - '0'));
                }
                out.appendByte((byte) 255);
                if (body == null) {
                    out.appendByte(MESSAGE).appendBuffer(p.binary);
                } else {
                    out.appendBytes(body);
                }
            }
            return new Payload(out, true);
        }
        StringBuilder sb = new StringBuilder();
        for (EnginePacket p : packets) {
            String segment = segment(p);
            sb.append(segment.length()).append(':').append(segment);
        }
        return new Payload(Buffer.buffer(sb.toString()), false);
    }

    /** A packet in a text payload: as in revision 4, but a binary message is {@code b4} and base64. */
    private static String segment(EnginePacket p) {
        return p.isBinary() ? "b4" + Base64.getEncoder().encodeToString(p.binary.getBytes()) : p.segment();
    }

    /** Decodes a POST body: the binary form when sent as {@code application/octet-stream}, otherwise text. */
    static List<EnginePacket> decodePayload(Buffer body, boolean binary) throws MalformedPacketException {
        return binary ? decodeBinaryPayload(body) : decodeTextPayload(EngineCodec.text(body));
    }

    static List<EnginePacket> decodeTextPayload(String payload) throws MalformedPacketException {
        if (payload.isEmpty()) {
            throw new MalformedPacketException("empty payload");
        }
        List<EnginePacket> packets = new ArrayList<>(2);
        int i = 0;
        int n = payload.length();
        while (i < n) {
            int colon = payload.indexOf(':', i);
            if (colon <= i || colon - i > MAX_LENGTH_DIGITS) {
                throw new MalformedPacketException("missing or bad length prefix in payload");
            }
            int length = parseLength(payload, i, colon);
            if (length > n - colon - 1) {
                throw new MalformedPacketException("payload shorter than its length prefix");
            }
            int end = colon + 1 + length;
            if (length > 0) {
                packets.add(decodeSegment(payload.substring(colon + 1, end)));
            }
            i = end;
        }
        return packets;
    }

    private static int parseLength(String s, int from, int to) throws MalformedPacketException {
        long value = 0;
        for (int k = from; k < to; k++) {
            char c = s.charAt(k);
            if (c < '0' || c > '9') {
                throw new MalformedPacketException("bad length prefix in payload");
            }
            value = value * 10 + (c - '0');
        }
        if (value > Integer.MAX_VALUE) {
            throw new MalformedPacketException("bad length prefix in payload");
        }
        return (int) value;
    }

    /** One packet of a text payload: a revision 4 segment, or {@code b} and a type digit for base64 binary. */
    static EnginePacket decodeSegment(String segment) throws MalformedPacketException {
        if (segment.charAt(0) != 'b') {
            return EngineCodec.decode(segment);
        }
        if (segment.length() < 2 || segment.charAt(1) != '4') {
            throw new MalformedPacketException("binary packet that is not a message");
        }
        try {
            String base64 = segment.substring(2);
            if (base64.indexOf('\n') >= 0 || base64.indexOf('\r') >= 0) {
                // the Java client wraps base64 lines (MIME style): line breaks are not part of the data
                base64 = base64.replace("\r", "").replace("\n", "");
            }
            return EnginePacket.message(Buffer.buffer(Base64.getDecoder().decode(base64)));
        } catch (IllegalArgumentException e) {
            throw new MalformedPacketException("invalid base64 in binary packet");
        }
    }

    static List<EnginePacket> decodeBinaryPayload(Buffer body) throws MalformedPacketException {
        ByteBuf buf = body.getByteBuf();
        if (!buf.isReadable()) {
            throw new MalformedPacketException("empty payload");
        }
        List<EnginePacket> packets = new ArrayList<>(2);
        while (buf.isReadable()) {
            byte kind = buf.readByte();
            if (kind != 0 && kind != 1) {
                throw new MalformedPacketException("bad packet kind in binary payload");
            }
            long length = 0;
            int digits = 0;
            while (true) {
                if (!buf.isReadable()) {
                    throw new MalformedPacketException("truncated length in binary payload");
                }
                int b = buf.readUnsignedByte();
                if (b == 255) {
                    break;
                }
                if (b > 9 || ++digits > MAX_LENGTH_DIGITS) {
                    throw new MalformedPacketException("bad length in binary payload");
                }
                length = length * 10 + b;
            }
            if (digits == 0 || length == 0 || length > buf.readableBytes()) {
                throw new MalformedPacketException("bad length in binary payload");
            }
            ByteBuf packet = buf.readSlice((int) length);
            if (kind == 0) {
                if (!ByteBufUtil.isText(packet, StandardCharsets.UTF_8)) {
                    throw new MalformedPacketException("invalid UTF-8");
                }
                packets.add(EngineCodec.decode(packet.toString(StandardCharsets.UTF_8)));
            } else {
                packets.add(decodeFrame(Buffer.buffer(packet.copy())));
            }
        }
        return packets;
    }

    /** A binary WebSocket frame (or binary payload entry): the type byte, which must be a message, then the bytes. */
    public static EnginePacket decodeFrame(Buffer frame) throws MalformedPacketException {
        if (frame.length() == 0 || frame.getByte(0) != MESSAGE) {
            throw new MalformedPacketException("binary packet that is not a message");
        }
        return EnginePacket.message(frame.slice(1, frame.length()));
    }

    /** The body of a binary WebSocket frame for a binary message: the type byte, then the bytes. */
    static Buffer frame(Buffer data) {
        return Buffer.buffer(data.length() + 1).appendByte(MESSAGE).appendBuffer(data);
    }
}
