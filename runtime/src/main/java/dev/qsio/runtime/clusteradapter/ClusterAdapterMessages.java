package dev.qsio.runtime.clusteradapter;

import java.util.ArrayList;
import java.util.List;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

import dev.qsio.runtime.clusteradapter.AdapterMessage.Origin;
import dev.qsio.runtime.protocol.ProtocolException;
import dev.qsio.runtime.protocol.ProtocolJson;

/**
 * The messages of Node's {@code ClusterAdapter} ({@code socket.io-adapter} 2.5), which both Node adapters for Redis
 * that are not the classic one speak: the sharded adapter ({@code createShardedAdapter}) and the streams adapter
 * ({@code @socket.io/redis-streams-adapter}). A message is {@code {uid, nsp, type, data}} with Node's
 * {@code MessageType} numbers; each wire carries it its own way. Quarkus servers add a {@code qsio} member (origin
 * worker and node, offset and direct flags) that Node ignores. The PostgreSQL wire (Node's
 * {@code @socket.io/postgres-adapter}) speaks them too, with the heartbeats of Node's {@code ClusterAdapterWithHeartbeat}.
 */
public final class ClusterAdapterMessages {

    private static final Logger LOG = Logger.getLogger(ClusterAdapterMessages.class);

    /** Node's {@code MessageType}. */
    public static final int INITIAL_HEARTBEAT = 1;
    public static final int HEARTBEAT = 2;
    public static final int BROADCAST = 3;
    static final int SOCKETS_JOIN = 4;
    static final int SOCKETS_LEAVE = 5;
    static final int DISCONNECT_SOCKETS = 6;
    static final int FETCH_SOCKETS = 7;
    static final int FETCH_SOCKETS_RESPONSE = 8;
    static final int SERVER_SIDE_EMIT = 9;
    static final int SERVER_SIDE_EMIT_RESPONSE = 10;
    static final int BROADCAST_CLIENT_COUNT = 11;
    static final int BROADCAST_ACK = 12;
    public static final int ADAPTER_CLOSE = 13;

    public final NodeMessages wire;
    private final ProtocolJson protocol;
    private final String uid;

    public ClusterAdapterMessages(ProtocolJson protocol, String uid) {
        this.wire = new NodeMessages(protocol.mapper());
        this.protocol = protocol;
        this.uid = uid;
    }

    /** The encoding of JSON and msgpack bodies these messages share with Node's other adapters. */
    public NodeMessages wire() {
        return wire;
    }

    private ObjectNode message(String nsp, int type) {
        return wire.json.createObjectNode().put("uid", uid).put("nsp", nsp).put("type", type);
    }

    /** A message without data: a heartbeat ({@link #INITIAL_HEARTBEAT}, {@link #HEARTBEAT}) or {@link #ADAPTER_CLOSE}. */
    public ObjectNode signal(String nsp, int type) {
        return message(nsp, type);
    }

    /** Whether a message of this type may hold binary values (then it travels as msgpack). */
    public static boolean mayContainBinary(int type) {
        return type == BROADCAST || type == FETCH_SOCKETS_RESPONSE || type == SERVER_SIDE_EMIT
                || type == SERVER_SIDE_EMIT_RESPONSE || type == BROADCAST_ACK;
    }

    /**
     * A broadcast or request as Node's message. With {@code offsetFromWire}, a broadcast's offset (its last argument)
     * is left out: the wire gives the offset (a stream entry's id).
     */
    public ObjectNode encode(AdapterMessage message, boolean offsetFromWire) throws ProtocolException {
        if (message instanceof AdapterMessage.Broadcast b) {
            ObjectNode m = message(b.namespace(), BROADCAST);
            ObjectNode origin = wire.qsio(b.origin());
            if (b.withOffset() && !offsetFromWire) {
                // the last argument is the offset: receivers leave it out of what @OnBroadcast methods get
                origin.put("offset", true);
            }
            if (b.direct()) {
                origin.put("direct", true);
            }
            m.set("qsio", origin);
            ObjectNode data = m.putObject("data");
            ArrayNode args = b.payload().data(protocol);
            if (b.withOffset() && offsetFromWire) {
                args = args.deepCopy();
                args.remove(args.size() - 1);
            }
            data.set("packet", wire.packetObject(b.namespace(), args));
            ObjectNode opts = wire.opts(b);
            if (b.requestId() != null) {
                ((ObjectNode) opts.get("flags")).put("timeout", b.timeoutMs());
                data.put("requestId", b.requestId());
            }
            data.set("opts", opts);
            return m;
        }
        if (message instanceof AdapterMessage.SocketsOperation o) {
            int type = switch (o.operation()) {
                case JOIN -> SOCKETS_JOIN;
                case LEAVE -> SOCKETS_LEAVE;
                case DISCONNECT -> DISCONNECT_SOCKETS;
            };
            ObjectNode m = message(o.namespace(), type);
            m.set("qsio", wire.qsio(o.origin()));
            ObjectNode data = m.putObject("data");
            data.set("opts", wire.opts(o.selection()));
            if (type == DISCONNECT_SOCKETS) {
                data.put("close", o.close());
            } else {
                ArrayNode rooms = data.putArray("rooms");
                o.rooms().forEach(rooms::add);
            }
            return m;
        }
        if (message instanceof AdapterMessage.FetchSockets f) {
            ObjectNode m = message(f.namespace(), FETCH_SOCKETS);
            m.set("qsio", wire.qsio(f.origin()));
            ObjectNode data = m.putObject("data");
            data.set("opts", wire.opts(f.selection()));
            data.put("requestId", f.requestId());
            return m;
        }
        if (message instanceof AdapterMessage.ServerSideEmit e) {
            ObjectNode m = message(e.namespace(), SERVER_SIDE_EMIT);
            m.set("qsio", wire.qsio(e.origin()));
            ObjectNode data = m.putObject("data");
            data.set("packet", e.payload().data(protocol));
            if (e.requestId() != null) {
                data.put("requestId", e.requestId());
            }
            return m;
        }
        throw new IllegalArgumentException("not a broadcast or request: " + message.getClass().getSimpleName());
    }

    /** A response as Node's message; null for what is not one. */
    public ObjectNode encodeResponse(AdapterMessage response) {
        if (response instanceof AdapterMessage.FetchSocketsResponse r) {
            ObjectNode m = message(r.namespace(), FETCH_SOCKETS_RESPONSE);
            ArrayNode sockets = m.putObject("data").put("requestId", r.requestId()).putArray("sockets");
            r.sockets().forEach(sockets::add);
            return m;
        }
        if (response instanceof AdapterMessage.ServerSideEmitResponse r) {
            ObjectNode m = message(r.namespace(), SERVER_SIDE_EMIT_RESPONSE);
            m.putObject("data").put("requestId", r.requestId()).set("packet",
                    r.value() == null ? NullNode.getInstance() : r.value());
            return m;
        }
        if (response instanceof AdapterMessage.BroadcastClientCount c) {
            ObjectNode m = message(c.namespace(), BROADCAST_CLIENT_COUNT);
            m.putObject("data").put("requestId", c.requestId()).put("clientCount", c.clientCount());
            return m;
        }
        if (response instanceof AdapterMessage.BroadcastAck a) {
            ObjectNode m = message(a.namespace(), BROADCAST_ACK);
            wire.ackArgs(m, m.putObject("data").put("requestId", a.requestId()), a);
            return m;
        }
        return null;
    }

    /**
     * Applies another server's message of namespace {@code nsp} through the hub; messages of this server (unless
     * {@code ownToo}) and of other namespaces are left alone. A broadcast read at a wire's {@code offset} (a stream
     * entry's id, or null) gets it as its last argument, as Node's {@code addOffsetIfNecessary} does. A response is
     * counted as its sender's ({@code uid}): a request that waits for servers by name stops waiting for that one.
     */
    public void dispatch(JsonNode m, String nsp, String offset, boolean ownToo, ClusterHub hub) {
        String sender = m.path("uid").asText();
        if ((!ownToo && uid.equals(sender)) || !nsp.equals(m.path("nsp").asText())) {
            return;
        }
        try {
            AdapterMessage message = decode(m, offset);
            if (message != null) {
                hub.onMessage(sender, message);
            }
        } catch (RuntimeException e) {
            LOG.warnf("Could not apply a message from %s on %s: %s", sender, nsp, e.getMessage());
        }
    }

    /** A message of Node's format as this server's; null for one it does not know or cannot apply. */
    public AdapterMessage decode(JsonNode m, String offset) {
        String nsp = m.path("nsp").asText();
        String sender = m.path("uid").asText();
        JsonNode data = m.path("data");
        String requestId = data.hasNonNull("requestId") ? data.path("requestId").asText() : null;
        Origin origin = NodeMessages.originOf(m, sender);
        int type = m.path("type").asInt(-1);
        return switch (type) {
            case BROADCAST -> broadcast(nsp, origin, m, requestId, offset);
            case SOCKETS_JOIN, SOCKETS_LEAVE, DISCONNECT_SOCKETS -> new AdapterMessage.SocketsOperation(origin, nsp,
                    type == SOCKETS_JOIN ? AdapterMessage.Operation.JOIN
                            : type == SOCKETS_LEAVE ? AdapterMessage.Operation.LEAVE : AdapterMessage.Operation.DISCONNECT,
                    NodeMessages.selectionOf(data.path("opts")), NodeMessages.strings(data.path("rooms")),
                    data.path("close").asBoolean(false));
            case FETCH_SOCKETS -> new AdapterMessage.FetchSockets(origin, nsp, requestId,
                    NodeMessages.selectionOf(data.path("opts")));
            case SERVER_SIDE_EMIT -> {
                JsonNode packet = data.path("packet");
                yield packet.isArray() && !packet.isEmpty()
                        ? new AdapterMessage.ServerSideEmit(origin, nsp, requestId, EventPayload.data((ArrayNode) packet))
                        : null;
            }
            case FETCH_SOCKETS_RESPONSE -> {
                List<JsonNode> sockets = new ArrayList<>();
                data.path("sockets").forEach(sockets::add);
                yield new AdapterMessage.FetchSocketsResponse(nsp, requestId, sockets);
            }
            case SERVER_SIDE_EMIT_RESPONSE -> new AdapterMessage.ServerSideEmitResponse(nsp, requestId, data.path("packet"));
            case BROADCAST_CLIENT_COUNT -> new AdapterMessage.BroadcastClientCount(nsp, requestId,
                    data.path("clientCount").asInt());
            case BROADCAST_ACK -> new AdapterMessage.BroadcastAck(nsp, requestId,
                    NodeMessages.ackArgsOf(m, data.path("packet")));
            default -> {
                LOG.debugf("ignoring a message of unknown type on %s: %s", nsp, m.path("type"));
                yield null;
            }
        };
    }

    private static AdapterMessage.Broadcast broadcast(String nsp, Origin origin, JsonNode m, String requestId,
            String offset) {
        JsonNode data = m.path("data");
        JsonNode packet = data.path("packet");
        JsonNode args = packet.path("data");
        if (!packet.path("nsp").asText(nsp).equals(nsp) || !args.isArray() || args.isEmpty()) {
            return null;
        }
        boolean withOffset = m.path("qsio").path("offset").asBoolean(false);
        ArrayNode arguments = (ArrayNode) args;
        JsonNode opts = data.path("opts");
        JsonNode flags = opts.path("flags");
        // as Node: no offset for a broadcast with acknowledgements or a volatile one
        if (offset != null && requestId == null && !flags.path("volatile").asBoolean(false)) {
            arguments = arguments.deepCopy();
            arguments.add(TextNode.valueOf(offset));
            withOffset = true;
        }
        return new AdapterMessage.Broadcast(origin, nsp, EventPayload.data(arguments), NodeMessages.selectionOf(opts),
                flags.path("volatile").asBoolean(false), flags.path("compress").asBoolean(true), withOffset,
                m.path("qsio").path("direct").asBoolean(false), requestId,
                requestId == null ? 0 : flags.path("timeout").asLong(0));
    }
}
