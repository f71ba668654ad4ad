package dev.qsio.runtime.clusteradapter;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.qsio.runtime.clusteradapter.AdapterMessage.Origin;
import dev.qsio.runtime.clusteradapter.AdapterMessage.Selection;
import dev.qsio.runtime.codec.BoundedMessagePack;
import io.vertx.core.buffer.Buffer;

/**
 * What Node's Redis adapters (classic and sharded) share on the wire: options as {@code {rooms, except, flags}},
 * EVENT packet objects, JSON or msgpack bodies told apart by their first byte, and the {@code qsio} member (origin
 * worker and node, and the sender's trace context as {@code trace}) that Node servers ignore and Quarkus servers read.
 */
public final class NodeMessages {

    /** Node's socket.io-parser EVENT packet type; binary values travel inside msgpack. */
    static final int EVENT = 2;

    public final ObjectMapper json;
    public final ObjectMapper msgpack = new ObjectMapper(BoundedMessagePack.factory());

    public NodeMessages(ObjectMapper json) {
        this.json = json;
    }

    public ObjectNode qsio(Origin origin) {
        ObjectNode qsio = json.createObjectNode().put("worker", origin.worker()).put("node", origin.node());
        if (!origin.trace().isEmpty()) {
            ObjectNode trace = qsio.putObject("trace");
            origin.trace().forEach(trace::put);
        }
        return qsio;
    }

    public ObjectNode opts(Selection selection) {
        ObjectNode opts = json.createObjectNode();
        ArrayNode rooms = opts.putArray("rooms");
        selection.rooms().forEach(rooms::add);
        ArrayNode except = opts.putArray("except");
        selection.except().forEach(except::add);
        return opts;
    }

    /**
     * A broadcast's options as Node's adapters write them: its selection and its flags ({@code volatile} only when set,
     * {@code compress} only when off).
     */
    public ObjectNode opts(AdapterMessage.Broadcast b) {
        ObjectNode opts = opts(b.selection());
        ObjectNode flags = opts.putObject("flags");
        if (b.volatileFlag()) {
            flags.put("volatile", true);
        }
        if (!b.compress()) {
            flags.put("compress", false);
        }
        return opts;
    }

    public static Set<String> strings(JsonNode array) {
        Set<String> set = new LinkedHashSet<>();
        array.forEach(n -> set.add(n.asText()));
        return set;
    }

    public static Selection selectionOf(JsonNode opts) {
        return new Selection(strings(opts.path("rooms")), strings(opts.path("except")));
    }

    /** The origin of a message from its {@code qsio} member; a Node sender is its own node. */
    public static Origin originOf(JsonNode carrier, String sender) {
        JsonNode q = carrier.path("qsio");
        Origin origin = new Origin(sender, q.path("worker").asInt(-1), q.path("node").asText(sender));
        JsonNode trace = q.path("trace");
        if (!trace.isObject() || trace.isEmpty()) {
            return origin;
        }
        Map<String, String> context = new HashMap<>();
        trace.fields().forEachRemaining(e -> context.put(e.getKey(), e.getValue().asText()));
        return origin.traced(Map.copyOf(context));
    }

    /**
     * Writes the arguments of a client's acknowledgement of a broadcast into a BROADCAST_ACK response: the first as
     * {@code packet} in {@code holder}, all that a Node server reads (Node's adapters forward the first argument only),
     * and, when there are not exactly one, all of them as {@code qsio.args} of {@code message}, for Quarkus servers.
     */
    public void ackArgs(ObjectNode message, ObjectNode holder, AdapterMessage.BroadcastAck ack) {
        holder.set("packet", ack.first());
        if (ack.values().size() != 1) {
            ArrayNode args = json.createArrayNode();
            ack.values().forEach(args::add);
            message.putObject("qsio").set("args", args);
        }
    }

    /**
     * The arguments of a client's acknowledgement of a broadcast, read from a BROADCAST_ACK response as
     * {@link #ackArgs} writes it: a Node server's gives its one argument ({@code packet}; none when it is absent).
     */
    public static List<JsonNode> ackArgsOf(JsonNode message, JsonNode packet) {
        JsonNode args = message.path("qsio").path("args");
        if (args.isArray()) {
            List<JsonNode> values = new ArrayList<>(args.size());
            args.forEach(values::add);
            return values;
        }
        return packet.isMissingNode() ? List.of() : List.of(packet);
    }

    public Buffer pack(JsonNode node) {
        try {
            return Buffer.buffer(msgpack.writeValueAsBytes(node));
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode an adapter message: " + e.getMessage(), e);
        }
    }

    public Buffer jsonBytes(JsonNode node) {
        try {
            return Buffer.buffer(json.writeValueAsBytes(node));
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode an adapter message: " + e.getMessage(), e);
        }
    }

    /** A message as JSON when it starts with '{', msgpack otherwise (as Node reads them). */
    public JsonNode read(Buffer payload) throws IOException {
        byte[] bytes = payload.getBytes();
        return bytes.length > 0 && bytes[0] == '{' ? json.readTree(bytes) : msgpack.readTree(bytes);
    }

    /** A Socket.IO EVENT packet object as Node's adapters exchange it. */
    public ObjectNode packetObject(String nsp, ArrayNode data) {
        ObjectNode packet = json.createObjectNode().put("type", EVENT);
        packet.set("data", data);
        packet.put("nsp", nsp);
        return packet;
    }
}
