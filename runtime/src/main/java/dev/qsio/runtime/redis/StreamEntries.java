package dev.qsio.runtime.redis;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import dev.qsio.runtime.clusteradapter.ClusterAdapterMessages;
import dev.qsio.runtime.clusteradapter.NodeMessages;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

/**
 * The entries of the stream of Node's {@code @socket.io/redis-streams-adapter} (0.3): fields {@code uid},
 * {@code nsp}, {@code type} (the message type as a decimal string) and {@code data} (the message's data as JSON, or
 * base64 of its msgpack form when it holds binary values); Quarkus servers add a {@code qsio} field (origin worker and
 * node) that Node ignores. An entry's id is the offset of a broadcast for connection state recovery.
 */
final class StreamEntries {

    /** An entry read back: its id and the message it carries, as Node's {@code ClusterAdapter} message. */
    record Entry(String id, JsonNode message) {
    }

    private final NodeMessages wire;

    StreamEntries(NodeMessages wire) {
        this.wire = wire;
    }

    /** {@code XADD} of a message to the stream, trimmed to about {@code maxLen} entries as Node does. */
    Request add(String stream, long maxLen, ObjectNode message) throws IOException {
        int type = message.path("type").asInt();
        JsonNode data = message.get("data");
        Request xadd = Request.cmd(Command.XADD).arg(stream).arg("MAXLEN").arg("~").arg(maxLen).arg("*")
                .arg("uid").arg(message.path("uid").asText()).arg("nsp").arg(message.path("nsp").asText())
                .arg("type").arg(String.valueOf(type));
        if (data != null) {
            String encoded = ClusterAdapterMessages.mayContainBinary(type) && hasBinary(data)
                    ? Base64.getEncoder().encodeToString(wire.msgpack.writeValueAsBytes(data))
                    : wire.json.writeValueAsString(data);
            xadd.arg("data").arg(encoded);
        }
        JsonNode qsio = message.get("qsio");
        if (qsio != null) {
            xadd.arg("qsio").arg(qsio.toString());
        }
        return xadd;
    }

    /** A stream entry's id ({@code <ms>-<seq>}) as its two numbers; null for anything else. */
    static long[] parseId(String id) {
        int dash = id == null ? -1 : id.indexOf('-');
        if (dash <= 0) {
            return null;
        }
        try {
            return new long[] { Long.parseUnsignedLong(id.substring(0, dash)), Long.parseUnsignedLong(id.substring(dash + 1)) };
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** The stream's order of two parsed ids. */
    static int compareIds(long[] a, long[] b) {
        int c = Long.compareUnsigned(a[0], b[0]);
        return c != 0 ? c : Long.compareUnsigned(a[1], b[1]);
    }

    /** Whether a tree holds binary values (they cannot travel as JSON). */
    static boolean hasBinary(JsonNode node) {
        if (node.isBinary()) {
            return true;
        }
        for (JsonNode child : node) {
            if (hasBinary(child)) {
                return true;
            }
        }
        return false;
    }

    /** The entries of an {@code XRANGE} answer (or of one stream of an {@code XREAD} answer); unreadable ones left out. */
    List<Entry> entries(Response list) {
        List<Entry> entries = new ArrayList<>();
        if (list == null) {
            return entries;
        }
        for (int i = 0; i < list.size(); i++) {
            Response entry = list.get(i);
            Entry e = entry(entry.get(0).toString(), entry.get(1));
            if (e != null) {
                entries.add(e);
            }
        }
        return entries;
    }

    private Entry entry(String id, Response fields) {
        ObjectNode m = wire.json.createObjectNode();
        try {
            for (int k = 0; k + 1 < fields.size(); k += 2) {
                String name = fields.get(k).toString();
                Response value = fields.get(k + 1);
                switch (name) {
                    case "uid", "nsp" -> m.put(name, value.toString());
                    case "type" -> m.put("type", Integer.parseInt(value.toString()));
                    case "data" -> {
                        String text = value.toString();
                        m.set("data", text.startsWith("{") ? wire.json.readTree(text)
                                : wire.msgpack.readTree(Base64.getDecoder().decode(text)));
                    }
                    case "qsio" -> m.set("qsio", wire.json.readTree(value.toString()));
                    default -> {
                        // a field of a later version
                    }
                }
            }
        } catch (IOException | IllegalArgumentException e) {
            return null;
        }
        return m.hasNonNull("nsp") ? new Entry(id, m) : null;
    }
}
