package dev.qsio.runtime.protocol;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.TextNode;

import io.vertx.core.buffer.Buffer;

/**
 * Decodes the Socket.IO v5 packets of one connection, in the parser's format: {@link TextPacketDecoder} for the
 * default parser, {@link MsgpackPacketDecoder} for {@code socket.io-msgpack-parser}. Not thread-safe: one decoder per
 * connection, fed in order.
 */
public interface PacketDecoder {

    /** Event names a client may not emit, as in the reference parser. */
    List<String> RESERVED = List.of("connect", "connect_error", "disconnect", "disconnecting", "newListener",
            "removeListener");

    /** The largest acknowledgement id accepted: JavaScript's largest safe integer. */
    long MAX_ID = (1L << 53) - 1;

    /** Decodes a text message; returns the packet, or {@code null} when it waits for more messages. */
    Packet onText(String text) throws ProtocolException;

    /** Decodes a binary message; returns the packet once it is complete. */
    Packet onBinary(Buffer data) throws ProtocolException;

    /**
     * The packet, once its payload passed the rules every parser applies to what a client sends: CONNECT carries an
     * object or nothing, DISCONNECT nothing, EVENT a non-empty array whose first element is a name that is not
     * reserved (a number is taken as its text, as the reference server does), ACK an array; a client has no reason
     * to send CONNECT_ERROR.
     */
    static Packet checked(PacketKind kind, String namespace, long id, JsonNode data) throws ProtocolException {
        boolean valid = switch (kind) {
            case CONNECT -> data == null || data.isObject();
            case DISCONNECT -> data == null;
            case EVENT -> data != null && data.isArray() && !data.isEmpty()
                    && (data.get(0).isNumber() || (data.get(0).isTextual() && !RESERVED.contains(data.get(0).asText())));
            case ACK -> data != null && data.isArray();
            default -> false;
        };
        if (!valid) {
            throw new ProtocolException("invalid payload for " + kind);
        }
        if (kind == PacketKind.EVENT && data.get(0).isNumber()) {
            ((ArrayNode) data).set(0, TextNode.valueOf(data.get(0).asText()));
        }
        return new Packet(kind, namespace, id, data);
    }
}
