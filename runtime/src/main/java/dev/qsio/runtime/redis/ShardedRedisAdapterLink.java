package dev.qsio.runtime.redis;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

import dev.qsio.runtime.clusteradapter.AdapterMessage;
import dev.qsio.runtime.clusteradapter.ClusterAdapterMessages;
import dev.qsio.runtime.clusteradapter.EventPayload;
import dev.qsio.runtime.clusteradapter.NodeMessages;
import dev.qsio.runtime.clusteradapter.Others;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.qsio.RoomEvent;
import dev.qsio.runtime.adapter.BroadcastOptions;
import dev.qsio.runtime.adapter.LocalSockets;
import dev.qsio.runtime.adapter.SessionStore;
import dev.qsio.runtime.redis.RedisConfig.SubscriptionMode;
import dev.qsio.runtime.protocol.ProtocolException;
import dev.qsio.runtime.protocol.ProtocolJson;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;

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
final class ShardedRedisAdapterLink extends RedisAdapterLinkBase {

    private static final Logger LOG = Logger.getLogger(ShardedRedisAdapterLink.class);

    private final ClusterAdapterMessages messages;
    private final NodeMessages wire;
    private final ProtocolJson protocol;
    private final SubscriptionMode mode;
    private final Map<String, Integer> serverCounts = new ConcurrentHashMap<>();

    /** Appends a logged broadcast to its namespace's log and publishes it, in one step on the shard of both. */
    private static final String LOG_AND_SPUBLISH = "redis.call('XADD', KEYS[1], 'MINID', '~', ARGV[4], '*', 'o', "
            + "ARGV[3], 'm', ARGV[2]) return redis.call('SPUBLISH', ARGV[1], ARGV[2])";

    /** Connection state recovery's store, or null: then broadcasts are not logged. */
    private final RedisSessionStore recovery;

    ShardedRedisAdapterLink(Vertx vertx, RedisBus bus, ProtocolJson protocol, String key, SubscriptionMode mode,
            RedisSessionStore recovery) {
        super(vertx, bus, key);
        this.protocol = protocol;
        this.messages = new ClusterAdapterMessages(protocol, uid);
        this.wire = messages.wire;
        this.mode = mode;
        this.recovery = recovery;
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

    @Override
    protected void refreshServerCount() {
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

    @Override
    public void publish(AdapterMessage message) {
        try {
            ObjectNode m = messages.encode(message, false);
            int type = m.path("type").asInt();
            Buffer payload = ClusterAdapterMessages.mayContainBinary(type) ? wire.pack(m) : wire.jsonBytes(m);
            if (message instanceof AdapterMessage.Broadcast b && b.withOffset() && recovery != null) {
                // logged: on the namespace's channel, which shares its slot with the log
                ArrayNode data = b.payload().data(protocol);
                String offset = data.get(data.size() - 1).asText();
                long minId = Math.max(0, System.currentTimeMillis() - recovery.windowMs());
                redis.command(Request.cmd(Command.EVAL).arg(LOG_AND_SPUBLISH).arg(1).arg(recovery.logKey(b.namespace()))
                        .arg(channel(b.namespace())).arg(payload).arg(offset).arg(minId)).onFailure(e -> LOG.warnf(
                                "A broadcast of %s could not be logged and published: %s", b.namespace(), e.getMessage()));
                return;
            }
            String channel = message instanceof AdapterMessage.Broadcast b ? broadcastChannel(b)
                    : channel(m.path("nsp").asText());
            redis.publish(channel, payload);
        } catch (ProtocolException e) {
            LOG.errorf("Cannot relay a %s to Redis: %s", message.getClass().getSimpleName(), e.getMessage());
        }
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
        ObjectNode m = messages.encodeResponse(response);
        if (m != null) {
            String nsp = m.path("nsp").asText();
            int type = m.path("type").asInt();
            redis.publish(responseChannel(nsp, requester),
                    ClusterAdapterMessages.mayContainBinary(type) ? wire.pack(m) : wire.jsonBytes(m));
        }
    }

    // ================================================================ incoming

    private void onMessage(String nsp, Buffer payload) {
        JsonNode m = readOrIgnore(wire, LOG, nsp, payload);
        if (m == null) {
            return;
        }
        boolean own = uid.equals(m.path("uid").asText());
        if (recovery != null && m.path("type").asInt() == ClusterAdapterMessages.BROADCAST
                && m.path("qsio").path("offset").asBoolean(false) && nsp.equals(m.path("nsp").asText())) {
            // a logged broadcast (this server's too): kept for the restores of this server's clients, in the log's
            // order, and delivered now
            JsonNode args = m.path("data").path("packet").path("data");
            if (args.isArray() && !args.isEmpty()) {
                recovery.recent().add(nsp, args.get(args.size() - 1).asText(), EventPayload.data((ArrayNode) args),
                        NodeMessages.selectionOf(m.path("data").path("opts")));
            }
            messages.dispatch(m, nsp, null, own, hub);
            return;
        }
        messages.dispatch(m, nsp, null, false, hub);
    }

    @Override
    public boolean deliversOwn(BroadcastOptions options) {
        return recovery != null && SessionStore.logged(options);
    }
}
