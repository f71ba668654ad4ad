package dev.qsio.runtime.engine;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.vertx.core.buffer.Buffer;

/**
 * Encodes and decodes Engine.IO v4 packets and polling payloads (packets joined by the record separator 0x1e).
 */
public final class EngineCodec {

    /** Separates packets in a polling payload (protocol v4). */
    public static final char SEPARATOR = '\u001e';

    private EngineCodec() {
    }

    /**
     * The text of a polling body or a WebSocket text message; bytes that are not UTF-8 are malformed (rather than
     * read as U+FFFD and passed on to the application and other clients).
     */
    public static String text(Buffer bytes) throws MalformedPacketException {
        ByteBuf buf = bytes.getByteBuf();
        if (!ByteBufUtil.isText(buf, StandardCharsets.UTF_8)) {
            throw new MalformedPacketException("invalid UTF-8");
        }
        return buf.toString(StandardCharsets.UTF_8);
    }

    /** Decodes one packet from its text form (a WebSocket text frame or a polling segment). */
    public static EnginePacket decode(String encoded) throws MalformedPacketException {
        if (encoded.isEmpty()) {
            throw new MalformedPacketException("empty packet");
        }
        char first = encoded.charAt(0);
        if (first == 'b') {
            try {
                // the Java client wraps base64 lines (MIME style): line breaks are not part of the data
                String base64 = encoded.indexOf('\n') >= 0 || encoded.indexOf('\r') >= 0
                        ? encoded.substring(1).replace("\r", "").replace("\n", "")
                        : encoded.substring(1);
                return EnginePacket.message(Buffer.buffer(Base64.getDecoder().decode(base64)));
            } catch (IllegalArgumentException e) {
                throw new MalformedPacketException("invalid base64 in binary packet");
            }
        }
        EnginePacketType type = EnginePacketType.of(first);
        if (type == null) {
            throw new MalformedPacketException("unknown packet type '" + printable(first) + "'");
        }
        if (encoded.length() == 1) {
            return switch (type) {
                case PING -> EnginePacket.PING;
                case PONG -> EnginePacket.PONG;
                case NOOP -> EnginePacket.NOOP;
                case CLOSE -> EnginePacket.CLOSE;
                case UPGRADE -> EnginePacket.UPGRADE;
                default -> new EnginePacket(type, "", null);
            };
        }
        return new EnginePacket(type, encoded.substring(1), null);
    }

    /** Decodes a polling payload. An empty payload or an empty segment is malformed. */
    public static List<EnginePacket> decodePayload(String payload) throws MalformedPacketException {
        List<EnginePacket> packets = new ArrayList<>(2);
        int start = 0;
        int length = payload.length();
        while (true) {
            int end = payload.indexOf(SEPARATOR, start);
            if (end < 0) {
                end = length;
            }
            packets.add(decode(payload.substring(start, end)));
            if (end == length) {
                return packets;
            }
            start = end + 1;
        }
    }

    /** Encodes packets as a polling payload. */
    public static String encodePayload(List<EnginePacket> packets) {
        if (packets.size() == 1) {
            return packets.get(0).segment();
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < packets.size(); i++) {
            if (i > 0) {
                sb.append(SEPARATOR);
            }
            sb.append(packets.get(i).segment());
        }
        return sb.toString();
    }

    private static String printable(char c) {
        return c < 0x20 || c > 0x7e ? String.format("\\u%04x", (int) c) : String.valueOf(c);
    }
}
