package dev.qsio.runtime.clusteradapter;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.qsio.RoomEvent;
import dev.qsio.runtime.adapter.LocalSockets;
import dev.qsio.runtime.bus.Bus;
import dev.qsio.runtime.bus.RedisBus;
import dev.qsio.runtime.bus.RedisChannels;
import dev.qsio.runtime.clusteradapter.AdapterMessage.Origin;
import dev.qsio.runtime.config.RedisConfig.SubscriptionMode;
import dev.qsio.runtime.protocol.ProtocolException;
import dev.qsio.runtime.protocol.ProtocolJson;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;

/**
 * The cluster adapter's messages on a Redis Cluster's sharded pub/sub, in the wire format of Node's
 * {@code createShardedAdapter} ({@code @socket.io/redis-adapter} 8.x, a {@code ClusterAdapter} of
 * {@code socket.io-adapter}), so that Node and Quarkus servers on one Redis Cluster form one fleet:
 * <ul>
 * <li>every message is an object {@code {uid, nsp, type, data}} (JSON, or msgpack when it may hold binary) with
 * Node's {@code MessageType} numbers;</li>
 * <li>broadcasts and requests go to the namespace's channel {@code <key>#<nsp>#}, or, for a broadcast to exactly one
 * public room in the {@code dynamic} subscription modes, to {@code <key>#<nsp>#<room>#}, which only the servers that
 * have the room subscribe to;</li>
 * <li>responses go to the requester's own channel {@code <key>#<nsp>#<uid>#};</li>
 * <li>a request waits for as many answers as the namespace's channel has other subscribers ({@code SHARDNUMSUB}).</li>
 * </ul>
 * Each message carries a {@code qsio} member (origin worker and node, offset and direct flags) that Node ignores.
 */
final class ShardedRedisTransport implements ClusterTransport {

    private static final Logger LOG = Logger.getLogger(ShardedRedisTransport.class);

    /** Node's {@code MessageType} of {@code socket.io-adapter}'s ClusterAdapter. */
    static final int BROADCAST = 3;
    static final int SOCKETS_JOIN = 4;
    static final int SOCKETS_LEAVE = 5;
    static final int DISCONNECT_SOCKETS = 6;
    static final int FETCH_SOCKETS = 7;
    static final int FETCH_SOCKETS_RESPONSE = 8;
    static final int SERVER_SIDE_EMIT = 9;
    static final int SERVER_SIDE_EMIT_RESPONSE = 10;
    static final int BROADCAST_CLIENT_COUNT = 11;
    static final int BROADCAST_ACK = 12;

    private final RedisBus bus;
    private final RedisChannels redis;
    private final ProtocolJson protocol;
    private final NodeMessages wire;
    private final String key;
    private final String uid;
    private final SubscriptionMode mode;
    private final Map<String, Integer> serverCounts = new ConcurrentHashMap<>();
    private ClusterHub hub;

    ShardedRedisTransport(Vertx vertx, RedisBus bus, ProtocolJson protocol, String key, SubscriptionMode mode) {
        this.bus = bus;
        this.redis = bus.channels();
        this.protocol = protocol;
        this.wire = new NodeMessages(protocol.mapper());
        this.key = key;
        this.uid = bus.self();
        this.mode = mode;
        // the server count follows the subscribers of the main namespace's channel
        vertx.setPeriodic(1000, t -> refreshServerCount());
        redis.onUp(this::refreshServerCount);
    }

    @Override
    public String self() {
        return uid;
    }

    @Override
    public void start(ClusterHub hub) {
        this.hub = hub;
        bus.listen(Bus.Channel.ADAPTER, new Bus.Listener() {
            @Override
            public void onMessage(String from, Buffer payload) {
            }

            @Override
            public void onMemberJoined(String member) {
                refreshServerCount();
            }

            @Override
            public void onMemberLeft(String member) {
                refreshServerCount();
                hub.onMemberLeft(member);
            }
        });
    }

    private String channel(String nsp) {
        return key + "#" + nsp + "#";
    }

    private String roomChannel(String nsp, String room) {
        return channel(nsp) + room + "#";
    }

    private String responseChannel(String nsp, String requester) {
        return channel(nsp) + requester + "#";
    }

    @Override
    public void opened(String nsp) {
        redis.subscribe(channel(nsp), (channel, payload) -> onMessage(nsp, payload));
        redis.subscribe(responseChannel(nsp, uid), (channel, payload) -> onMessage(nsp, payload));
    }

    @Override
    public void closed(String nsp) {
        redis.unsubscribe(channel(nsp));
        redis.unsubscribe(responseChannel(nsp, uid));
    }

    /**
     * In the dynamic modes, a server subscribes to a room's channel while it has the room, as Node's sharded adapter
     * does: public rooms (not a socket's own) in {@code dynamic}, every room in {@code dynamic-private}.
     */
    @Override
    public Consumer<RoomEvent> roomWatcher(LocalSockets namespace) {
        if (mode == SubscriptionMode.STATIC) {
            return null;
        }
        String nsp = namespace.name();
        return event -> {
            if (event.kind() != RoomEvent.Kind.CREATED && event.kind() != RoomEvent.Kind.DELETED) {
                return;
            }
            boolean own = namespace.socket(event.room()) != null;
            if (own && mode == SubscriptionMode.DYNAMIC) {
                return;
            }
            String channel = roomChannel(nsp, event.room());
            if (event.kind() == RoomEvent.Kind.CREATED) {
                redis.subscribe(channel, (c, payload) -> onMessage(nsp, payload));
            } else {
                redis.unsubscribe(channel);
            }
        };
    }

    private void refreshServerCount() {
        count("/").onSuccess(n -> serverCounts.put("/", n));
    }

    /** How many servers subscribe to a namespace's channel, this one included (Node's {@code serverCount()}). */
    private Future<Integer> count(String nsp) {
        if (!redis.isUp()) {
            return Future.succeededFuture(1);
        }
        return redis.subscribers(channel(nsp)).map(n -> Math.max(1, n)).otherwise(1);
    }

    @Override
    public Future<Others> others(String namespace) {
        return count(namespace).map(n -> Others.counted(n - 1));
    }

    @Override
    public Others othersNow() {
        return Others.counted((redis.isUp() ? serverCounts.getOrDefault("/", 1) : 1) - 1);
    }

    // ================================================================ outgoing

    private ObjectNode message(String nsp, int type) {
        return wire.json.createObjectNode().put("uid", uid).put("nsp", nsp).put("type", type);
    }

    @Override
    public void publish(AdapterMessage message) {
        try {
            if (message instanceof AdapterMessage.Broadcast b) {
                publishBroadcast(b);
            } else if (message instanceof AdapterMessage.SocketsOperation o) {
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
                redis.publish(channel(o.namespace()), wire.jsonBytes(m));
            } else if (message instanceof AdapterMessage.FetchSockets f) {
                ObjectNode m = message(f.namespace(), FETCH_SOCKETS);
                m.set("qsio", wire.qsio(f.origin()));
                ObjectNode data = m.putObject("data");
                data.set("opts", wire.opts(f.selection()));
                data.put("requestId", f.requestId());
                redis.publish(channel(f.namespace()), wire.jsonBytes(m));
            } else if (message instanceof AdapterMessage.ServerSideEmit e) {
                ObjectNode m = message(e.namespace(), SERVER_SIDE_EMIT);
                m.set("qsio", wire.qsio(e.origin()));
                ObjectNode data = m.putObject("data");
                data.set("packet", e.payload().data(protocol));
                if (e.requestId() != null) {
                    data.put("requestId", e.requestId());
                }
                redis.publish(channel(e.namespace()), wire.pack(m));
            }
        } catch (ProtocolException e) {
            LOG.errorf("Cannot relay a %s to Redis: %s", message.getClass().getSimpleName(), e.getMessage());
        }
    }

    private void publishBroadcast(AdapterMessage.Broadcast b) throws ProtocolException {
        ObjectNode m = message(b.namespace(), BROADCAST);
        ObjectNode origin = wire.qsio(b.origin());
        if (b.withOffset()) {
            // the last argument is the offset: receivers leave it out of what @OnBroadcast methods get
            origin.put("offset", true);
        }
        if (b.direct()) {
            origin.put("direct", true);
        }
        m.set("qsio", origin);
        ObjectNode data = m.putObject("data");
        data.set("packet", wire.packetObject(b.namespace(), b.payload().data(protocol)));
        ObjectNode opts = wire.opts(b.selection());
        ObjectNode flags = opts.putObject("flags");
        if (b.volatileFlag()) {
            flags.put("volatile", true);
        }
        if (!b.compress()) {
            flags.put("compress", false);
        }
        if (b.requestId() != null) {
            flags.put("timeout", b.timeoutMs());
            data.put("requestId", b.requestId());
        }
        data.set("opts", opts);
        redis.publish(broadcastChannel(b), wire.pack(m));
    }

    /**
     * Node's choice of channel: a room's own channel for a broadcast without acknowledgements to exactly one room
     * that is public ({@code dynamic}: not 20 characters long like a socket id) or any ({@code dynamic-private}).
     */
    private String broadcastChannel(AdapterMessage.Broadcast b) {
        if (b.requestId() == null && b.selection().rooms().size() == 1 && mode != SubscriptionMode.STATIC) {
            String room = b.selection().rooms().iterator().next();
            if (mode == SubscriptionMode.DYNAMIC_PRIVATE || room.length() != 20) {
                return roomChannel(b.namespace(), room);
            }
        }
        return channel(b.namespace());
    }

    @Override
    public void respond(String requester, AdapterMessage response) {
        if (response instanceof AdapterMessage.FetchSocketsResponse r) {
            ObjectNode m = message(r.namespace(), FETCH_SOCKETS_RESPONSE);
            ObjectNode data = m.putObject("data").put("requestId", r.requestId());
            ArrayNode sockets = data.putArray("sockets");
            r.sockets().forEach(sockets::add);
            redis.publish(responseChannel(r.namespace(), requester), wire.pack(m));
        } else if (response instanceof AdapterMessage.ServerSideEmitResponse r) {
            ObjectNode m = message(r.namespace(), SERVER_SIDE_EMIT_RESPONSE);
            ObjectNode data = m.putObject("data").put("requestId", r.requestId());
            data.set("packet", r.value() == null ? NullNode.getInstance() : r.value());
            redis.publish(responseChannel(r.namespace(), requester), wire.pack(m));
        } else if (response instanceof AdapterMessage.BroadcastClientCount c) {
            ObjectNode m = message(c.namespace(), BROADCAST_CLIENT_COUNT);
            m.putObject("data").put("requestId", c.requestId()).put("clientCount", c.clientCount());
            redis.publish(responseChannel(c.namespace(), requester), wire.jsonBytes(m));
        } else if (response instanceof AdapterMessage.BroadcastAck a) {
            ObjectNode m = message(a.namespace(), BROADCAST_ACK);
            ObjectNode data = m.putObject("data").put("requestId", a.requestId());
            data.set("packet", a.value() == null ? NullNode.getInstance() : a.value());
            redis.publish(responseChannel(a.namespace(), requester), wire.pack(m));
        }
    }

    // ================================================================ incoming

    private void onMessage(String nsp, Buffer payload) {
        JsonNode m;
        try {
            m = wire.read(payload);
        } catch (IOException e) {
            LOG.debugf("ignoring a malformed message on %s: %s", nsp, e.getMessage());
            return;
        }
        String sender = m.path("uid").asText();
        if (uid.equals(sender) || !nsp.equals(m.path("nsp").asText())) {
            return;
        }
        JsonNode data = m.path("data");
        String requestId = data.hasNonNull("requestId") ? data.path("requestId").asText() : null;
        Origin origin = NodeMessages.originOf(m, sender);
        try {
            switch (m.path("type").asInt(-1)) {
                case BROADCAST -> onBroadcast(nsp, sender, origin, m, requestId);
                case SOCKETS_JOIN, SOCKETS_LEAVE, DISCONNECT_SOCKETS -> {
                    int type = m.path("type").asInt();
                    AdapterMessage.Operation operation = type == SOCKETS_JOIN ? AdapterMessage.Operation.JOIN
                            : type == SOCKETS_LEAVE ? AdapterMessage.Operation.LEAVE : AdapterMessage.Operation.DISCONNECT;
                    hub.onMessage(sender, new AdapterMessage.SocketsOperation(origin, nsp, operation,
                            NodeMessages.selectionOf(data.path("opts")), NodeMessages.strings(data.path("rooms")),
                            data.path("close").asBoolean(false)));
                }
                case FETCH_SOCKETS -> hub.onMessage(sender, new AdapterMessage.FetchSockets(origin, nsp, requestId,
                        NodeMessages.selectionOf(data.path("opts"))));
                case SERVER_SIDE_EMIT -> {
                    JsonNode packet = data.path("packet");
                    if (packet.isArray() && !packet.isEmpty()) {
                        hub.onMessage(sender, new AdapterMessage.ServerSideEmit(origin, nsp, requestId,
                                EventPayload.data((ArrayNode) packet)));
                    }
                }
                case FETCH_SOCKETS_RESPONSE -> {
                    List<JsonNode> sockets = new ArrayList<>();
                    data.path("sockets").forEach(sockets::add);
                    hub.onMessage(null, new AdapterMessage.FetchSocketsResponse(nsp, requestId, sockets));
                }
                case SERVER_SIDE_EMIT_RESPONSE -> hub.onMessage(null,
                        new AdapterMessage.ServerSideEmitResponse(nsp, requestId, data.path("packet")));
                case BROADCAST_CLIENT_COUNT -> hub.onMessage(null,
                        new AdapterMessage.BroadcastClientCount(nsp, requestId, data.path("clientCount").asInt()));
                case BROADCAST_ACK -> hub.onMessage(null,
                        new AdapterMessage.BroadcastAck(nsp, requestId, data.path("packet")));
                default -> LOG.debugf("ignoring a message of unknown type on %s: %s", nsp, m.path("type"));
            }
        } catch (RuntimeException e) {
            LOG.warnf("Could not apply a message from %s on %s: %s", sender, nsp, e.getMessage());
        }
    }

    private void onBroadcast(String nsp, String sender, Origin origin, JsonNode m, String requestId) {
        JsonNode data = m.path("data");
        JsonNode packet = data.path("packet");
        JsonNode args = packet.path("data");
        if (!packet.path("nsp").asText(nsp).equals(nsp) || !args.isArray() || args.isEmpty()) {
            return;
        }
        JsonNode opts = data.path("opts");
        JsonNode flags = opts.path("flags");
        hub.onMessage(sender, new AdapterMessage.Broadcast(origin, nsp, EventPayload.data((ArrayNode) args),
                NodeMessages.selectionOf(opts), flags.path("volatile").asBoolean(false),
                flags.path("compress").asBoolean(true), m.path("qsio").path("offset").asBoolean(false),
                m.path("qsio").path("direct").asBoolean(false), requestId,
                requestId == null ? 0 : flags.path("timeout").asLong(0)));
    }
}
