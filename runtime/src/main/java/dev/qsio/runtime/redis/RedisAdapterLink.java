package dev.qsio.runtime.redis;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import dev.qsio.runtime.clusteradapter.AdapterMessage;
import dev.qsio.runtime.clusteradapter.EventPayload;
import dev.qsio.runtime.clusteradapter.NodeMessages;
import dev.qsio.runtime.clusteradapter.Others;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.qsio.runtime.adapter.BroadcastOptions;
import dev.qsio.runtime.adapter.SessionStore;
import dev.qsio.runtime.clusteradapter.AdapterMessage.Origin;
import dev.qsio.runtime.clusteradapter.AdapterMessage.Selection;
import dev.qsio.runtime.protocol.ProtocolException;
import dev.qsio.runtime.protocol.ProtocolJson;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;

/**
 * The cluster adapter's messages on Redis, in the wire format of Node's {@code @socket.io/redis-adapter} (8.x), so
 * that Node socket.io servers and Quarkus servers on one Redis form one cluster:
 * <ul>
 * <li>broadcasts: msgpack {@code [uid, packet, opts]} on {@code <key>#<nsp>#}, or {@code <key>#<nsp>#<room>#} when
 * they target exactly one room; every server pattern-subscribes {@code <key>#<nsp>#*};</li>
 * <li>requests on {@code <key>-request#<nsp>#}: JSON objects with a numeric {@code type} (fetch sockets, join, leave,
 * disconnect, server-side emit), msgpack for a broadcast with acknowledgements;</li>
 * <li>responses on {@code <key>-response#<nsp>#}; a request waits for as many answers as there are other
 * subscribers of the request channel ({@code PUBSUB NUMSUB}), as Node's does.</li>
 * </ul>
 * Each message carries a {@code qsio} member (origin worker and node) that Node servers ignore and Quarkus servers
 * pass to {@code @OnBroadcast} methods. With connection state recovery, broadcasts are also appended to the
 * namespace's log ({@link RedisSessionStore}) by the script that publishes them.
 */
final class RedisAdapterLink extends RedisAdapterLinkBase {

    private static final Logger LOG = Logger.getLogger(RedisAdapterLink.class);

    /** Node's {@code RequestType}. */
    static final int SOCKETS = 0;
    static final int ALL_ROOMS = 1;
    static final int REMOTE_JOIN = 2;
    static final int REMOTE_LEAVE = 3;
    static final int REMOTE_DISCONNECT = 4;
    static final int REMOTE_FETCH = 5;
    static final int SERVER_SIDE_EMIT = 6;
    static final int BROADCAST = 7;
    static final int BROADCAST_CLIENT_COUNT = 8;
    static final int BROADCAST_ACK = 9;

    /** Publishes a broadcast and appends it to the namespace's log in one step, trimming entries past the window. */
    private static final String LOG_AND_PUBLISH = "redis.call('XADD', KEYS[1], 'MINID', '~', ARGV[4], '*', 'o', ARGV[3], "
            + "'m', ARGV[2]) return redis.call('PUBLISH', ARGV[1], ARGV[2])";

    private final ProtocolJson protocol;
    private final ObjectMapper json;
    private final NodeMessages wire;
    /** Connection state recovery's store, or null: then broadcasts are not logged. */
    private final RedisSessionStore recovery;
    private volatile int serverCount = 1;

    RedisAdapterLink(Vertx vertx, RedisBus bus, ProtocolJson protocol, String key, RedisSessionStore recovery) {
        super(vertx, bus, key);
        this.protocol = protocol;
        this.json = protocol.mapper();
        this.wire = new NodeMessages(json);
        this.recovery = recovery;
    }

    @Override
    public void opened(String nsp) {
        redis.psubscribe(broadcastChannel(nsp) + "*", (channel, payload) -> onBroadcast(nsp, payload));
        redis.subscribe(requestChannel(nsp), (channel, payload) -> onRequest(nsp, payload));
        redis.subscribe(responseChannel(nsp), (channel, payload) -> onResponse(payload));
        redis.subscribe(responseChannel(nsp) + uid + "#", (channel, payload) -> onResponse(payload));
    }

    @Override
    public void closed(String nsp) {
        redis.punsubscribe(broadcastChannel(nsp) + "*");
        redis.unsubscribe(requestChannel(nsp));
        redis.unsubscribe(responseChannel(nsp));
        redis.unsubscribe(responseChannel(nsp) + uid + "#");
    }

    @Override
    public boolean deliversOwn(BroadcastOptions options) {
        return recovery != null && SessionStore.logged(options);
    }

    private String broadcastChannel(String nsp) {
        return key + "#" + nsp + "#";
    }

    private String requestChannel(String nsp) {
        return key + "-request#" + nsp + "#";
    }

    private String responseChannel(String nsp) {
        return key + "-response#" + nsp + "#";
    }

    @Override
    protected void refreshServerCount() {
        numSub("/").onSuccess(n -> serverCount = Math.max(1, n));
    }

    /** How many servers subscribe to a namespace's requests, this one included (Node's {@code serverCount()}). */
    private Future<Integer> numSub(String nsp) {
        if (!redis.isUp()) {
            return Future.succeededFuture(1);
        }
        return redis.subscribers(requestChannel(nsp)).map(n -> n == 0 ? 1 : n);
    }

    @Override
    public Future<Others> others(String namespace) {
        return numSub(namespace).map(n -> Others.counted(n - 1));
    }

    @Override
    public Others othersNow() {
        return Others.counted((redis.isUp() ? serverCount : 1) - 1);
    }

    // ================================================================ outgoing

    @Override
    public void publish(AdapterMessage message) {
        try {
            if (message instanceof AdapterMessage.Broadcast b) {
                if (b.requestId() == null) {
                    publishBroadcast(b);
                } else {
                    publishBroadcastWithAck(b);
                }
            } else if (message instanceof AdapterMessage.SocketsOperation o) {
                int type = switch (o.operation()) {
                    case JOIN -> REMOTE_JOIN;
                    case LEAVE -> REMOTE_LEAVE;
                    case DISCONNECT -> REMOTE_DISCONNECT;
                };
                ObjectNode request = json.createObjectNode().put("uid", uid).put("type", type);
                request.set("opts", wire.opts(o.selection()));
                if (type == REMOTE_DISCONNECT) {
                    request.put("close", o.close());
                } else {
                    ArrayNode rooms = request.putArray("rooms");
                    o.rooms().forEach(rooms::add);
                }
                request.set("qsio", wire.qsio(o.origin()));
                redis.publish(requestChannel(o.namespace()), wire.jsonBytes(request));
            } else if (message instanceof AdapterMessage.FetchSockets f) {
                ObjectNode request = json.createObjectNode().put("uid", uid).put("requestId", f.requestId())
                        .put("type", REMOTE_FETCH);
                request.set("opts", wire.opts(f.selection()));
                request.set("qsio", wire.qsio(f.origin()));
                redis.publish(requestChannel(f.namespace()), wire.jsonBytes(request));
            } else if (message instanceof AdapterMessage.ServerSideEmit e) {
                ObjectNode request = json.createObjectNode().put("uid", uid).put("type", SERVER_SIDE_EMIT);
                request.set("data", e.payload().data(protocol));
                request.set("qsio", wire.qsio(e.origin()));
                if (e.requestId() != null) {
                    request.put("requestId", e.requestId());
                }
                redis.publish(requestChannel(e.namespace()), wire.jsonBytes(request));
            }
        } catch (ProtocolException e) {
            LOG.errorf("Cannot relay a %s to Redis: %s", message.getClass().getSimpleName(), e.getMessage());
        }
    }

    private void publishBroadcast(AdapterMessage.Broadcast b) throws ProtocolException {
        ObjectNode opts = wire.opts(b);
        ObjectNode origin = wire.qsio(b.origin());
        if (b.withOffset()) {
            // the last argument is the offset: receivers leave it out of what @OnBroadcast methods get
            origin.put("offset", true);
        }
        if (b.direct()) {
            origin.put("direct", true);
        }
        opts.set("qsio", origin);
        ArrayNode data = b.payload().data(protocol);
        ArrayNode message = json.createArrayNode().add(uid);
        message.add(wire.packetObject(b.namespace(), data));
        message.add(opts);
        String channel = broadcastChannel(b.namespace());
        if (b.selection().rooms().size() == 1) {
            channel += b.selection().rooms().iterator().next() + "#";
        }
        Buffer payload = wire.pack(message);
        if (b.withOffset() && recovery != null) {
            String offset = data.get(data.size() - 1).asText();
            long minId = Math.max(0, System.currentTimeMillis() - recovery.windowMs());
            redis.command(Request.cmd(Command.EVAL).arg(LOG_AND_PUBLISH).arg(1).arg(recovery.logKey(b.namespace()))
                    .arg(channel).arg(payload).arg(offset).arg(minId)).onFailure(e -> LOG.warnf(
                            "A broadcast of %s could not be logged and published: %s", b.namespace(), e.getMessage()));
            return;
        }
        redis.publish(channel, payload);
    }

    private void publishBroadcastWithAck(AdapterMessage.Broadcast b) throws ProtocolException {
        ObjectNode opts = wire.opts(b.selection());
        opts.putObject("flags").put("timeout", b.timeoutMs());
        ObjectNode request = json.createObjectNode().put("uid", uid).put("requestId", b.requestId())
                .put("type", BROADCAST);
        request.set("packet", wire.packetObject(b.namespace(), b.payload().data(protocol)));
        request.set("opts", opts);
        request.set("qsio", wire.qsio(b.origin()));
        redis.publish(requestChannel(b.namespace()), wire.pack(request));
    }

    @Override
    public void respond(String requester, AdapterMessage response) {
        if (response instanceof AdapterMessage.FetchSocketsResponse r) {
            ObjectNode out = json.createObjectNode().put("requestId", r.requestId());
            ArrayNode sockets = out.putArray("sockets");
            r.sockets().forEach(sockets::add);
            redis.publish(responseChannel(r.namespace()), wire.jsonBytes(out));
        } else if (response instanceof AdapterMessage.ServerSideEmitResponse r) {
            ObjectNode out = json.createObjectNode().put("type", SERVER_SIDE_EMIT).put("requestId", r.requestId());
            out.set("data", r.value());
            redis.publish(responseChannel(r.namespace()), wire.jsonBytes(out));
        } else if (response instanceof AdapterMessage.BroadcastClientCount c) {
            redis.publish(responseChannel(c.namespace()), wire.jsonBytes(json.createObjectNode()
                    .put("type", BROADCAST_CLIENT_COUNT).put("requestId", c.requestId()).put("clientCount",
                            c.clientCount())));
        } else if (response instanceof AdapterMessage.BroadcastAck a) {
            ObjectNode out = json.createObjectNode().put("type", BROADCAST_ACK).put("requestId", a.requestId());
            wire.ackArgs(out, out, a);
            redis.publish(responseChannel(a.namespace()), wire.pack(out));
        }
    }

    // ================================================================ incoming

    private void onBroadcast(String nsp, Buffer payload) {
        JsonNode message;
        try {
            message = wire.msgpack.readTree(payload.getBytes());
        } catch (IOException e) {
            LOG.debugf("ignoring a malformed broadcast on %s: %s", nsp, e.getMessage());
            return;
        }
        if (!message.isArray() || message.size() < 3) {
            return;
        }
        JsonNode packet = message.get(1);
        JsonNode opts = message.get(2);
        JsonNode data = packet.path("data");
        if (!packet.path("nsp").asText("/").equals(nsp) || !data.isArray() || data.isEmpty()) {
            return;
        }
        String sender = message.get(0).asText();
        boolean withOffset = opts.path("qsio").path("offset").asBoolean(false);
        EventPayload event = EventPayload.data((ArrayNode) data);
        Selection selection = NodeMessages.selectionOf(opts);
        if (withOffset && recovery != null) {
            // kept for the restores of this server's clients, in the order of the log
            recovery.recent().add(nsp, data.get(data.size() - 1).asText(), event, selection);
        }
        hub.onMessage(sender, new AdapterMessage.Broadcast(NodeMessages.originOf(opts, sender), nsp, event, selection,
                opts.path("flags").path("volatile").asBoolean(false), opts.path("flags").path("compress").asBoolean(true),
                withOffset,
                opts.path("qsio").path("direct").asBoolean(false), null, 0));
    }

    private void onRequest(String nsp, Buffer payload) {
        JsonNode request;
        try {
            request = wire.read(payload);
        } catch (IOException e) {
            LOG.debugf("ignoring a malformed request on %s: %s", nsp, e.getMessage());
            return;
        }
        String sender = request.path("uid").asText();
        if (uid.equals(sender)) {
            return;
        }
        String requestId = request.hasNonNull("requestId") ? request.path("requestId").asText() : null;
        Origin origin = NodeMessages.originOf(request, sender);
        try {
            switch (request.path("type").asInt(-1)) {
                case SOCKETS -> {
                    ObjectNode response = json.createObjectNode().put("requestId", requestId);
                    ArrayNode ids = response.putArray("sockets");
                    hub.localSocketIds(nsp, NodeMessages.strings(request.path("rooms"))).forEach(ids::add);
                    redis.publish(responseChannel(nsp), wire.jsonBytes(response));
                }
                case ALL_ROOMS -> {
                    ObjectNode response = json.createObjectNode().put("requestId", requestId);
                    ArrayNode rooms = response.putArray("rooms");
                    hub.localRooms(nsp).forEach(rooms::add);
                    redis.publish(responseChannel(nsp), wire.jsonBytes(response));
                }
                case REMOTE_JOIN, REMOTE_LEAVE, REMOTE_DISCONNECT -> onSocketsOperation(nsp, origin, requestId, request);
                case REMOTE_FETCH -> hub.onMessage(sender, new AdapterMessage.FetchSockets(origin, nsp, requestId,
                        NodeMessages.selectionOf(request.path("opts"))));
                case SERVER_SIDE_EMIT -> {
                    JsonNode data = request.path("data");
                    if (data.isArray() && !data.isEmpty()) {
                        hub.onMessage(sender, new AdapterMessage.ServerSideEmit(origin, nsp, requestId,
                                EventPayload.data((ArrayNode) data)));
                    }
                }
                case BROADCAST -> {
                    JsonNode opts = request.path("opts");
                    JsonNode data = request.path("packet").path("data");
                    if (data.isArray() && !data.isEmpty()) {
                        hub.onMessage(sender, new AdapterMessage.Broadcast(origin, nsp, EventPayload.data((ArrayNode) data),
                                NodeMessages.selectionOf(opts), opts.path("flags").path("volatile").asBoolean(false),
                                opts.path("flags").path("compress").asBoolean(true), false, false,
                                requestId, opts.path("flags").path("timeout").asLong(0)));
                    }
                }
                default -> LOG.debugf("ignoring a request of unknown type on %s: %s", nsp, request.path("type"));
            }
        } catch (RuntimeException e) {
            LOG.warnf("Could not apply a request from %s on %s: %s", sender, nsp, e.getMessage());
        }
    }

    private void onSocketsOperation(String nsp, Origin origin, String requestId, JsonNode request) {
        int type = request.path("type").asInt();
        AdapterMessage.Operation operation = switch (type) {
            case REMOTE_JOIN -> AdapterMessage.Operation.JOIN;
            case REMOTE_LEAVE -> AdapterMessage.Operation.LEAVE;
            default -> AdapterMessage.Operation.DISCONNECT;
        };
        boolean close = request.path("close").asBoolean(false);
        if (request.hasNonNull("opts")) {
            hub.onMessage(origin.member(), new AdapterMessage.SocketsOperation(origin, nsp, operation,
                    NodeMessages.selectionOf(request.path("opts")), NodeMessages.strings(request.path("rooms")), close));
            return;
        }
        // the older form names one socket and one room (Node's remoteJoin/remoteLeave/remoteDisconnect) and is answered
        String sid = request.path("sid").asText();
        Set<String> rooms = request.hasNonNull("room") ? Set.of(request.path("room").asText()) : Set.of();
        hub.onMessage(origin.member(), new AdapterMessage.SocketsOperation(origin, nsp, operation,
                new Selection(Set.of(sid), Set.of()), rooms, close));
        redis.publish(responseChannel(nsp), wire.jsonBytes(json.createObjectNode().put("requestId", requestId)));
    }

    private void onResponse(Buffer payload) {
        JsonNode response;
        try {
            response = wire.read(payload);
        } catch (IOException e) {
            LOG.debugf("ignoring a malformed response: %s", e.getMessage());
            return;
        }
        String requestId = response.path("requestId").asText();
        if (!requestId.startsWith(uid + ":")) {
            // an answer to another server's request
            return;
        }
        AdapterMessage message = switch (response.path("type").asInt(-1)) {
            case SERVER_SIDE_EMIT -> new AdapterMessage.ServerSideEmitResponse(null, requestId, response.path("data"));
            case BROADCAST_CLIENT_COUNT -> new AdapterMessage.BroadcastClientCount(null, requestId,
                    response.path("clientCount").asInt());
            case BROADCAST_ACK -> new AdapterMessage.BroadcastAck(null, requestId,
                    NodeMessages.ackArgsOf(response, response.path("packet")));
            default -> {
                List<JsonNode> sockets = new ArrayList<>();
                response.path("sockets").forEach(sockets::add);
                yield new AdapterMessage.FetchSocketsResponse(null, requestId, sockets);
            }
        };
        hub.onMessage(null, message);
    }
}
