package dev.qsio.runtime.clusteradapter;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessageUnpacker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;

import dev.qsio.runtime.clusteradapter.AdapterMessage.Origin;
import dev.qsio.runtime.clusteradapter.AdapterMessage.Selection;
import dev.qsio.runtime.codec.BoundedMessagePack;
import dev.qsio.runtime.protocol.Encoded;
import dev.qsio.runtime.protocol.ProtocolException;
import dev.qsio.runtime.protocol.ProtocolJson;
import io.vertx.core.buffer.Buffer;

/**
 * The encoding of {@link AdapterMessage}s on the bus between the workers of a host: msgpack, a type number then the
 * fields of the type. An event travels as its encoded Socket.IO packet (text and binary attachments), which the
 * receivers write unchanged to their clients; values (socket descriptions, answers) as msgpack trees, binary
 * included.
 */
final class BusCodec {

    private static final int BROADCAST = 0;
    private static final int SOCKETS_OPERATION = 1;
    private static final int FETCH_SOCKETS = 2;
    private static final int SERVER_SIDE_EMIT = 3;
    private static final int FETCH_SOCKETS_RESPONSE = 4;
    private static final int SERVER_SIDE_EMIT_RESPONSE = 5;
    private static final int BROADCAST_CLIENT_COUNT = 6;
    private static final int BROADCAST_ACK = 7;

    private static final AdapterMessage.Operation[] OPERATIONS = AdapterMessage.Operation.values();

    private final ProtocolJson json;
    private final ObjectMapper msgpack = new ObjectMapper(BoundedMessagePack.factory());

    BusCodec(ProtocolJson json) {
        this.json = json;
    }

    Buffer encode(AdapterMessage message) {
        try (MessageBufferPacker p = MessagePack.newDefaultBufferPacker()) {
            if (message instanceof AdapterMessage.Broadcast b) {
                p.packInt(BROADCAST);
                origin(p, b.origin());
                p.packString(b.namespace());
                event(p, b.payload(), b.namespace());
                selection(p, b.selection());
                p.packBoolean(b.volatileFlag()).packBoolean(b.compress()).packBoolean(b.withOffset())
                        .packBoolean(b.direct());
                nullable(p, b.requestId());
                p.packLong(b.timeoutMs());
            } else if (message instanceof AdapterMessage.SocketsOperation o) {
                p.packInt(SOCKETS_OPERATION);
                origin(p, o.origin());
                p.packString(o.namespace()).packInt(o.operation().ordinal());
                selection(p, o.selection());
                strings(p, o.rooms());
                p.packBoolean(o.close());
            } else if (message instanceof AdapterMessage.FetchSockets f) {
                p.packInt(FETCH_SOCKETS);
                origin(p, f.origin());
                p.packString(f.namespace()).packString(f.requestId());
                selection(p, f.selection());
            } else if (message instanceof AdapterMessage.ServerSideEmit e) {
                p.packInt(SERVER_SIDE_EMIT);
                origin(p, e.origin());
                p.packString(e.namespace());
                nullable(p, e.requestId());
                event(p, e.payload(), e.namespace());
            } else if (message instanceof AdapterMessage.FetchSocketsResponse r) {
                p.packInt(FETCH_SOCKETS_RESPONSE).packString(r.namespace()).packString(r.requestId());
                p.packArrayHeader(r.sockets().size());
                for (JsonNode s : r.sockets()) {
                    tree(p, s);
                }
            } else if (message instanceof AdapterMessage.ServerSideEmitResponse r) {
                p.packInt(SERVER_SIDE_EMIT_RESPONSE).packString(r.namespace()).packString(r.requestId());
                tree(p, r.value());
            } else if (message instanceof AdapterMessage.BroadcastClientCount c) {
                p.packInt(BROADCAST_CLIENT_COUNT).packString(c.namespace()).packString(c.requestId())
                        .packInt(c.clientCount());
            } else if (message instanceof AdapterMessage.BroadcastAck a) {
                p.packInt(BROADCAST_ACK).packString(a.namespace()).packString(a.requestId());
                // the first argument where workers built before every argument crossed read it; the others after it
                tree(p, a.first());
                if (a.values().size() != 1) {
                    tree(p, msgpack.createArrayNode().addAll(a.values()));
                }
            } else {
                throw new IllegalArgumentException("unknown adapter message " + message);
            }
            return Buffer.buffer(p.toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (ProtocolException e) {
            throw new IllegalStateException("cannot encode " + message.getClass().getSimpleName() + ": " + e.getMessage(), e);
        }
    }

    AdapterMessage decode(Buffer payload) throws IOException {
        byte[] bytes = payload.getBytes();
        BoundedMessagePack.checkAll(bytes);
        try (MessageUnpacker u = MessagePack.newDefaultUnpacker(bytes)) {
            int type = u.unpackInt();
            return switch (type) {
                case BROADCAST -> new AdapterMessage.Broadcast(origin(u), u.unpackString(), event(u), selection(u),
                        u.unpackBoolean(), u.unpackBoolean(), u.unpackBoolean(), u.unpackBoolean(), nullable(u),
                        u.unpackLong());
                case SOCKETS_OPERATION -> {
                    Origin origin = origin(u);
                    String namespace = u.unpackString();
                    int op = u.unpackInt();
                    if (op < 0 || op >= OPERATIONS.length) {
                        throw new IOException("unknown sockets operation " + op);
                    }
                    yield new AdapterMessage.SocketsOperation(origin, namespace, OPERATIONS[op], selection(u), strings(u),
                            u.unpackBoolean());
                }
                case FETCH_SOCKETS -> new AdapterMessage.FetchSockets(origin(u), u.unpackString(), u.unpackString(),
                        selection(u));
                case SERVER_SIDE_EMIT -> new AdapterMessage.ServerSideEmit(origin(u), u.unpackString(), nullable(u),
                        event(u));
                case FETCH_SOCKETS_RESPONSE -> {
                    String namespace = u.unpackString();
                    String requestId = u.unpackString();
                    int n = u.unpackArrayHeader();
                    List<JsonNode> sockets = new ArrayList<>(n);
                    for (int i = 0; i < n; i++) {
                        sockets.add(tree(u));
                    }
                    yield new AdapterMessage.FetchSocketsResponse(namespace, requestId, sockets);
                }
                case SERVER_SIDE_EMIT_RESPONSE -> new AdapterMessage.ServerSideEmitResponse(u.unpackString(),
                        u.unpackString(), tree(u));
                case BROADCAST_CLIENT_COUNT -> new AdapterMessage.BroadcastClientCount(u.unpackString(), u.unpackString(),
                        u.unpackInt());
                case BROADCAST_ACK -> {
                    String namespace = u.unpackString();
                    String requestId = u.unpackString();
                    JsonNode first = tree(u);
                    List<JsonNode> values = new ArrayList<>();
                    if (u.hasNext()) {
                        tree(u).forEach(values::add);
                    } else {
                        values.add(first);
                    }
                    yield new AdapterMessage.BroadcastAck(namespace, requestId, values);
                }
                default -> throw new IOException("unknown adapter message type " + type);
            };
        } catch (RuntimeException e) {
            throw new IOException("malformed adapter message: " + e.getMessage(), e);
        }
    }

    private static void origin(MessageBufferPacker p, Origin origin) throws IOException {
        p.packString(origin.member()).packInt(origin.worker()).packString(origin.node());
        p.packMapHeader(origin.trace().size());
        for (Map.Entry<String, String> e : origin.trace().entrySet()) {
            p.packString(e.getKey()).packString(e.getValue());
        }
    }

    private static Origin origin(MessageUnpacker u) throws IOException {
        String member = u.unpackString();
        int worker = u.unpackInt();
        String node = u.unpackString();
        int n = u.unpackMapHeader();
        if (n == 0) {
            return new Origin(member, worker, node);
        }
        Map<String, String> trace = new HashMap<>(n * 2);
        for (int i = 0; i < n; i++) {
            trace.put(u.unpackString(), u.unpackString());
        }
        return new Origin(member, worker, node, Map.copyOf(trace));
    }

    private static void selection(MessageBufferPacker p, Selection selection) throws IOException {
        strings(p, selection.rooms());
        strings(p, selection.except());
    }

    private static Selection selection(MessageUnpacker u) throws IOException {
        return new Selection(strings(u), strings(u));
    }

    private static void strings(MessageBufferPacker p, Set<String> set) throws IOException {
        p.packArrayHeader(set.size());
        for (String s : set) {
            p.packString(s);
        }
    }

    private static Set<String> strings(MessageUnpacker u) throws IOException {
        int n = u.unpackArrayHeader();
        Set<String> set = new LinkedHashSet<>(n);
        for (int i = 0; i < n; i++) {
            set.add(u.unpackString());
        }
        return Set.copyOf(set);
    }

    private static void nullable(MessageBufferPacker p, String s) throws IOException {
        if (s == null) {
            p.packNil();
        } else {
            p.packString(s);
        }
    }

    private static String nullable(MessageUnpacker u) throws IOException {
        return u.tryUnpackNil() ? null : u.unpackString();
    }

    private void event(MessageBufferPacker p, EventPayload payload, String namespace)
            throws IOException, ProtocolException {
        Encoded encoded = payload.encoded(json, namespace);
        if (encoded.binaryPacket()) {
            // the msgpack parser's packet: no text, the packet as the one binary part
            byte[] bytes = encoded.messages().get(0).binary().getBytes();
            p.packNil();
            p.packArrayHeader(1);
            p.packBinaryHeader(bytes.length).writePayload(bytes);
            return;
        }
        p.packString(encoded.text());
        List<Buffer> attachments = encoded.attachments();
        p.packArrayHeader(attachments.size());
        for (Buffer b : attachments) {
            byte[] bytes = b.getBytes();
            p.packBinaryHeader(bytes.length).writePayload(bytes);
        }
    }

    private static EventPayload event(MessageUnpacker u) throws IOException {
        String text = nullable(u);
        int n = u.unpackArrayHeader();
        List<Buffer> attachments = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            attachments.add(Buffer.buffer(u.readPayload(u.unpackBinaryHeader())));
        }
        if (text == null) {
            if (n != 1) {
                throw new IOException("a binary packet is one binary part, not " + n);
            }
            return EventPayload.encoded(Encoded.binary(attachments.get(0)));
        }
        return EventPayload.encoded(Encoded.of(text, attachments));
    }

    private void tree(MessageBufferPacker p, JsonNode node) throws IOException {
        byte[] bytes = msgpack.writeValueAsBytes(node == null ? NullNode.getInstance() : node);
        p.packBinaryHeader(bytes.length).writePayload(bytes);
    }

    private JsonNode tree(MessageUnpacker u) throws IOException {
        return msgpack.readTree(u.readPayload(u.unpackBinaryHeader()));
    }
}
