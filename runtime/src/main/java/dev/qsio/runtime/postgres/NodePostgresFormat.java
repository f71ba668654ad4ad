package dev.qsio.runtime.postgres;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.qsio.runtime.clusteradapter.NodeMessages;

/**
 * How Node's {@code @socket.io/postgres-adapter} (0.5) and {@code @socket.io/postgres-emitter} (0.1) put a
 * {@code ClusterAdapter} message in a notification: as JSON when it has no binary value and is shorter than the
 * threshold, otherwise msgpack-encoded in a row of the attachments table, with only {@code {uid, type, attachmentId}}
 * notified (node-pg reads the {@code bigserial} id as a string, and the adapter notifies it so).
 */
public final class NodePostgresFormat {

    /** What is notified for a message. */
    public sealed interface Notified {
    }

    /** The message itself, as JSON. */
    public record Text(String payload) implements Notified {
    }

    /** The message msgpack-encoded for the attachments table; {@link #header} is notified once the row has an id. */
    public record Attached(byte[] body, String uid, int type) implements Notified {

        public String header(ObjectMapper json, long id) {
            return json.createObjectNode().put("uid", uid).put("type", type).put("attachmentId", Long.toString(id))
                    .toString();
        }
    }

    private NodePostgresFormat() {
    }

    /**
     * How a message is notified. A payload of {@code threshold} bytes or more goes to the attachments table (the
     * adapter's check after 0.5.0; 0.5.0 sends one of exactly the threshold, which PostgreSQL refuses at 8000).
     */
    public static Notified encode(NodeMessages wire, ObjectNode m, int threshold) throws IOException {
        if (!hasBinary(m)) {
            String text = wire.json.writeValueAsString(m);
            if (text.getBytes(StandardCharsets.UTF_8).length < threshold) {
                return new Text(text);
            }
        }
        return new Attached(wire.msgpack.writeValueAsBytes(m), m.path("uid").asText(), m.path("type").asInt());
    }

    /**
     * Gives a message of this process its sequence number in the {@code qsio} member (Node ignores it): notifications
     * of identical payloads in one transaction would be delivered once, and a batch may hold two equal messages.
     */
    public static ObjectNode stamp(ObjectNode m, long sequence) {
        ObjectNode q = m.has("qsio") ? (ObjectNode) m.get("qsio") : m.putObject("qsio");
        if (!q.has("seq")) {
            q.put("seq", sequence);
        }
        return m;
    }

    /** The attachment row a notification names, or -1 when it carries the message itself. */
    public static long attachmentId(JsonNode notified) {
        JsonNode id = notified.get("attachmentId");
        if (id == null) {
            return -1;
        }
        try {
            return Long.parseLong(id.asText());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /**
     * The message as the namespace of its channel reads it, or null when it is another namespace's. A message without
     * {@code nsp} (Node's postgres emitter writes none) is the channel's namespace's.
     */
    public static ObjectNode inNamespace(String nsp, ObjectNode m) {
        if (!m.hasNonNull("nsp")) {
            m.put("nsp", nsp);
            return m;
        }
        return nsp.equals(m.path("nsp").asText()) ? m : null;
    }

    /** Whether a message holds binary values (Node's {@code hasBinary}). */
    public static boolean hasBinary(JsonNode node) {
        if (node.isBinary()) {
            return true;
        }
        if (node.isContainerNode()) {
            for (JsonNode child : node) {
                if (hasBinary(child)) {
                    return true;
                }
            }
        }
        return false;
    }
}
