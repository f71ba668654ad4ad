package dev.qsio.runtime.protocol;

import java.io.IOException;
import java.util.Iterator;
import java.util.Map;

import org.msgpack.core.MessagePackException;
import org.msgpack.jackson.dataformat.MessagePackExtensionType;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.POJONode;

import io.vertx.core.buffer.Buffer;

/**
 * Decodes packets of {@code socket.io-msgpack-parser}: each packet is one binary message, a MessagePack map
 * {@code {type, nsp, data, id}} with binary values in place (MessagePack {@code bin}). Text messages are refused.
 * The checks are the reference parser's (type 0 to 4, a string namespace, an integer id or none) and then those of
 * every parser ({@link PacketDecoder#checked}).
 */
public final class MsgpackPacketDecoder implements PacketDecoder {

    /** The value {@code notepack.io} writes for {@code undefined}: extension type 0 holding one zero byte. */
    private static final byte UNDEFINED_TYPE = 0;

    private final ObjectReader reader;

    MsgpackPacketDecoder(ObjectReader msgpackReader) {
        this.reader = msgpackReader;
    }

    @Override
    public Packet onText(String text) throws ProtocolException {
        throw new ProtocolException("text message: the msgpack parser takes binary packets");
    }

    @Override
    public Packet onBinary(Buffer data) throws ProtocolException {
        JsonNode packet;
        try {
            packet = reader.readTree(data.getBytes());
        } catch (JacksonException e) {
            throw new ProtocolException("invalid MessagePack: " + e.getOriginalMessage());
        } catch (IOException | MessagePackException e) {
            // msgpack-core reports some malformed input (a reserved format byte, for one) unchecked
            throw new ProtocolException("invalid MessagePack");
        }
        if (packet == null || !packet.isObject()) {
            throw new ProtocolException("invalid packet: not a map");
        }
        JsonNode type = packet.get("type");
        if (type == null || !type.canConvertToInt() || !type.isIntegralNumber() || type.asInt() < 0
                || type.asInt() > PacketKind.CONNECT_ERROR.ordinal()) {
            throw new ProtocolException("invalid packet type");
        }
        JsonNode nsp = packet.get("nsp");
        if (nsp == null || !nsp.isTextual()) {
            throw new ProtocolException("invalid namespace");
        }
        long id = Packet.NO_ID;
        JsonNode idNode = defined(packet.get("id"));
        if (idNode != null) {
            if (!idNode.isIntegralNumber() || idNode.asLong() < 0 || idNode.asLong() > MAX_ID) {
                throw new ProtocolException("invalid packet id");
            }
            id = idNode.asLong();
        }
        JsonNode payload = defined(packet.get("data"));
        return PacketDecoder.checked(PacketKind.values()[type.asInt()], nsp.asText(), id,
                payload == null ? null : withoutUndefined(payload));
    }

    /** The node, or null when absent or {@code undefined}. */
    private static JsonNode defined(JsonNode node) {
        return node == null || isUndefined(node) ? null : node;
    }

    private static boolean isUndefined(JsonNode node) {
        return node instanceof POJONode pojo && pojo.getPojo() instanceof MessagePackExtensionType ext
                && ext.getType() == UNDEFINED_TYPE;
    }

    /** {@code undefined} becomes null in arrays and is left out of maps, as JSON.stringify does for the default parser. */
    private static JsonNode withoutUndefined(JsonNode node) {
        if (node instanceof ArrayNode array) {
            for (int i = 0; i < array.size(); i++) {
                JsonNode e = array.get(i);
                array.set(i, isUndefined(e) ? NullNode.getInstance() : withoutUndefined(e));
            }
        } else if (node instanceof ObjectNode object) {
            Iterator<Map.Entry<String, JsonNode>> fields = object.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> e = fields.next();
                if (isUndefined(e.getValue())) {
                    fields.remove();
                } else {
                    e.setValue(withoutUndefined(e.getValue()));
                }
            }
        }
        return node;
    }
}
