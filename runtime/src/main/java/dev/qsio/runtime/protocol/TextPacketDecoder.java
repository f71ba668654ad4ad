package dev.qsio.runtime.protocol;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BinaryNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.vertx.core.buffer.Buffer;

/**
 * Decodes the Socket.IO v5 packets of one connection. A BINARY_EVENT or BINARY_ACK header announces its
 * attachments, which arrive as the next binary messages; the decoder holds the header until they are all there.
 * Not thread-safe: one decoder per connection, fed in order.
 */
public final class TextPacketDecoder implements PacketDecoder {

    /** Reads one JSON value and rejects anything after it, as JSON.parse does. */
    private final ObjectReader reader;
    private final int maxAttachments;

    private Header pending;
    private List<Buffer> received;

    /** A decoder reading with a reader from {@link #strictReader(ObjectMapper)}, shared by all connections. */
    TextPacketDecoder(ObjectReader strictReader, int maxAttachments) {
        this.reader = strictReader;
        this.maxAttachments = maxAttachments;
    }

    /**
     * The reader decoders use: one JSON value, nothing after it. Immutable and thread-safe: make it once and share
     * it (a reader per connection cost about 300 bytes and an allocation per connect).
     */
    static ObjectReader strictReader(ObjectMapper mapper) {
        return mapper.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    }

    private record Header(PacketKind kind, String namespace, long id, int attachments, String json) {
    }

    @Override
    public Packet onText(String text) throws ProtocolException {
        if (pending != null) {
            throw new ProtocolException("got plain text data while waiting for binary attachments");
        }
        Header header = parseHeader(text);
        if (header.attachments > 0) {
            pending = header;
            received = new ArrayList<>(header.attachments);
            return null;
        }
        return complete(header, List.of());
    }

    @Override
    public Packet onBinary(Buffer data) throws ProtocolException {
        if (pending == null) {
            throw new ProtocolException("got binary data when not reconstructing a packet");
        }
        received.add(data);
        if (received.size() < pending.attachments) {
            return null;
        }
        Header header = pending;
        List<Buffer> attachments = received;
        pending = null;
        received = null;
        return complete(header, attachments);
    }

    private Header parseHeader(String str) throws ProtocolException {
        int length = str.length();
        if (length == 0) {
            throw new ProtocolException("empty packet");
        }
        PacketKind kind = PacketKind.of(str.charAt(0));
        if (kind == null) {
            throw new ProtocolException("unknown packet type");
        }
        int i = 1;
        int attachments = 0;
        if (kind.binary()) {
            int dash = str.indexOf('-', i);
            if (dash < 0 || dash == i || dash - i > 6) {
                throw new ProtocolException("illegal attachments");
            }
            for (int j = i; j < dash; j++) {
                if (!isDigit(str.charAt(j))) {
                    throw new ProtocolException("illegal attachments");
                }
            }
            attachments = Integer.parseInt(str, i, dash, 10);
            if (attachments > maxAttachments) {
                throw new ProtocolException("too many attachments: " + attachments);
            }
            i = dash + 1;
        }
        String namespace = "/";
        if (i < length && str.charAt(i) == '/') {
            int comma = str.indexOf(',', i);
            int end = comma < 0 ? length : comma;
            namespace = str.substring(i, end);
            i = comma < 0 ? length : comma + 1;
        }
        long id = Packet.NO_ID;
        int idStart = i;
        while (i < length && isDigit(str.charAt(i))) {
            i++;
        }
        if (i > idStart) {
            if (i - idStart > 16) {
                throw new ProtocolException("acknowledgement id too large");
            }
            id = Long.parseLong(str, idStart, i, 10);
            if (id > PacketDecoder.MAX_ID) {
                throw new ProtocolException("acknowledgement id too large");
            }
        }
        String json = i < length ? str.substring(i) : null;
        return new Header(kind, namespace, id, attachments, json);
    }

    private Packet complete(Header header, List<Buffer> attachments) throws ProtocolException {
        JsonNode data = null;
        if (header.json != null) {
            try {
                data = reader.readTree(header.json);
            } catch (JacksonException e) {
                throw new ProtocolException("invalid payload: " + e.getOriginalMessage());
            } catch (IOException e) {
                throw new ProtocolException("invalid payload");
            }
            if (!attachments.isEmpty()) {
                data = reconstruct(data, attachments, new BinaryNode[attachments.size()]);
            }
        }
        PacketKind kind = switch (header.kind) {
            case BINARY_EVENT -> PacketKind.EVENT;
            case BINARY_ACK -> PacketKind.ACK;
            default -> header.kind;
        };
        return PacketDecoder.checked(kind, header.namespace, header.id, data);
    }

    /**
     * Puts each attachment in place of its placeholders. An attachment becomes one node, shared by every placeholder
     * that names it (as Node's parser shares one buffer): the copies are bounded by the attachments' size, not by how
     * many placeholders a peer writes.
     */
    private static JsonNode reconstruct(JsonNode node, List<Buffer> attachments, BinaryNode[] binaries)
            throws ProtocolException {
        if (node.isArray()) {
            ArrayNode array = (ArrayNode) node;
            for (int i = 0; i < array.size(); i++) {
                array.set(i, reconstruct(array.get(i), attachments, binaries));
            }
            return array;
        }
        if (node.isObject()) {
            ObjectNode object = (ObjectNode) node;
            JsonNode placeholder = object.get("_placeholder");
            if (placeholder != null && placeholder.asBoolean(false)) {
                JsonNode num = object.get("num");
                if (num == null || !num.canConvertToInt() || num.asInt() < 0 || num.asInt() >= attachments.size()) {
                    throw new ProtocolException("illegal attachments");
                }
                int n = num.asInt();
                if (binaries[n] == null) {
                    binaries[n] = BinaryNode.valueOf(attachments.get(n).getBytes());
                }
                return binaries[n];
            }
            Iterator<Map.Entry<String, JsonNode>> fields = object.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> e = fields.next();
                e.setValue(reconstruct(e.getValue(), attachments, binaries));
            }
            return object;
        }
        return node;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
