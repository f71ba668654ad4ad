package dev.qsio.runtime.adapter;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

import org.jboss.logging.Logger;
import org.msgpack.jackson.dataformat.MessagePackFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.qsio.AckTimeoutException;
import dev.qsio.RemoteSocket;
import dev.qsio.runtime.bus.Bus;
import dev.qsio.runtime.bus.RedisBus;
import dev.qsio.runtime.protocol.Encoded;
import dev.qsio.runtime.protocol.ProtocolException;
import dev.qsio.runtime.server.Namespace;
import dev.qsio.runtime.server.SocketImpl;
import dev.qsio.runtime.server.SocketIoServerImpl;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;

/**
 * The adapter messages of a server on the {@code redis} bus, in the wire format of Node's
 * {@code @socket.io/redis-adapter} (8.x), so that Node socket.io servers and Quarkus servers on one Redis form one
 * cluster:
 * <ul>
 * <li>broadcasts: msgpack {@code [uid, packet, opts]} on {@code <key>#<nsp>#}, or {@code <key>#<nsp>#<room>#} when
 * they target exactly one room; every server pattern-subscribes {@code <key>#<nsp>#*};</li>
 * <li>requests on {@code <key>-request#<nsp>#}: JSON objects with a numeric {@code type} (fetch sockets, join, leave,
 * disconnect, server-side emit), msgpack for a broadcast with acknowledgements;</li>
 * <li>responses on {@code <key>-response#<nsp>#}; a request waits for as many answers as there are other
 * subscribers of the request channel ({@code PUBSUB NUMSUB}), as Node's does.</li>
 * </ul>
 * Each message carries a {@code qsio} member (origin worker and node) that Node servers ignore and Quarkus servers
 * pass to {@code @OnBroadcast} methods.
 */
public final class RedisAdapterHub implements Peers {

    private static final Logger LOG = Logger.getLogger(RedisAdapterHub.class);

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

    /** Node's socket.io-parser EVENT packet type; binary values travel inside msgpack. */
    private static final int EVENT = 2;

    /** A request whose responses are being collected. */
    private static final class Pending {
        final int type;
        final int expected;
        int received;
        final Consumer<JsonNode> onResponse;
        final Runnable onComplete;
        long timer = -1;

        Pending(int type, int expected, Consumer<JsonNode> onResponse, Runnable onComplete) {
            this.type = type;
            this.expected = expected;
            this.onResponse = onResponse;
            this.onComplete = onComplete;
        }
    }

    /** A broadcast with acknowledgements: its answers arrive until the caller's timeout. */
    private record AckRequest(IntConsumer clientCount, Consumer<JsonNode> ack) {
    }

    private final SocketIoServerImpl server;
    private final RedisBus bus;
    private final int workerId;
    private final String nodeId;
    private final long requestTimeoutMs;
    private final String key;
    private final String uid;
    private final ObjectMapper json;
    private final ObjectMapper msgpack = new ObjectMapper(new MessagePackFactory());
    private final AtomicLong requestIds = new AtomicLong();
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();
    private final Map<String, AckRequest> ackRequests = new ConcurrentHashMap<>();
    private volatile int serverCount = 1;
    /** Connection state recovery's store, or null: then broadcasts are logged as they are published. */
    private volatile RedisSessionStore recovery;

    /** Publishes a broadcast and appends it to the namespace's log in one step, trimming entries past the window. */
    private static final String LOG_AND_PUBLISH = "redis.call('XADD', KEYS[1], 'MINID', '~', ARGV[4], '*', 'o', ARGV[3], "
            + "'m', ARGV[2]) return redis.call('PUBLISH', ARGV[1], ARGV[2])";

    public RedisAdapterHub(SocketIoServerImpl server, RedisBus bus, int workerId, String nodeId, long requestTimeoutMs,
            String key) {
        this.server = server;
        this.bus = bus;
        this.workerId = workerId;
        this.nodeId = nodeId;
        this.requestTimeoutMs = requestTimeoutMs;
        this.key = key;
        this.uid = bus.self();
        this.json = server.protocolMapper();
        // the server count follows the subscribers of the main namespace's request channel
        server.vertx().setPeriodic(1000, t -> refreshServerCount());
        bus.onUp(this::refreshServerCount);
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
            }
        });
    }

    /** Turns connection state recovery on: broadcasts are logged, and delivered here when they come back. */
    public RedisSessionStore useRecovery(long windowMs) {
        recovery = new RedisSessionStore(server, bus, key, windowMs, msgpack);
        return recovery;
    }

    @Override
    public boolean deliversOwn(BroadcastOptions options) {
        return recovery != null && SessionStore.logged(options);
    }

    /** The adapter of a namespace: subscribes to its channels. */
    public Adapter adapterFor(Namespace namespace) {
        String nsp = namespace.name();
        bus.psubscribe(broadcastChannel(nsp) + "*", (channel, payload) -> onBroadcast(nsp, payload));
        bus.subscribe(requestChannel(nsp), (channel, payload) -> onRequest(nsp, payload));
        bus.subscribe(responseChannel(nsp), (channel, payload) -> onResponse(payload));
        bus.subscribe(responseChannel(nsp) + uid + "#", (channel, payload) -> onResponse(payload));
        return new ClusterAdapter(namespace, this);
    }

    @Override
    public void closed(Namespace namespace) {
        String nsp = namespace.name();
        bus.punsubscribe(broadcastChannel(nsp) + "*");
        bus.unsubscribe(requestChannel(nsp));
        bus.unsubscribe(responseChannel(nsp));
        bus.unsubscribe(responseChannel(nsp) + uid + "#");
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

    private void refreshServerCount() {
        numSub("/").onSuccess(n -> serverCount = Math.max(1, n));
    }

    /** How many servers subscribe to a namespace's requests, this one included (Node's {@code serverCount()}). */
    private Future<Integer> numSub(String nsp) {
        if (!bus.isUp()) {
            return Future.succeededFuture(1);
        }
        return bus.command(Request.cmd(Command.PUBSUB).arg("NUMSUB").arg(requestChannel(nsp)))
                .map(r -> r.size() >= 2 ? r.get(1).toInteger() : 1);
    }

    @Override
    public int serverCount() {
        return bus.isUp() ? serverCount : 1;
    }

    private ObjectNode origin() {
        return json.createObjectNode().put("worker", workerId).put("node", nodeId);
    }

    private String newRequestId() {
        return uid + ":" + requestIds.incrementAndGet();
    }

    private ObjectNode opts(BroadcastOptions options) {
        ObjectNode opts = json.createObjectNode();
        ArrayNode rooms = opts.putArray("rooms");
        options.rooms().forEach(rooms::add);
        ArrayNode except = opts.putArray("except");
        options.except().forEach(except::add);
        return opts;
    }

    private static Set<String> strings(JsonNode array) {
        Set<String> set = new LinkedHashSet<>();
        array.forEach(n -> set.add(n.asText()));
        return set;
    }

    private byte[] pack(JsonNode node) {
        try {
            return msgpack.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode an adapter message: " + e.getMessage(), e);
        }
    }

    private void publishJson(String channel, ObjectNode message) {
        try {
            bus.rawPublish(channel, Buffer.buffer(json.writeValueAsBytes(message)));
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode an adapter message: " + e.getMessage(), e);
        }
    }

    /** A message as JSON when it starts with '{', msgpack otherwise (as Node reads them). */
    private JsonNode read(Buffer payload) throws IOException {
        byte[] bytes = payload.getBytes();
        return bytes.length > 0 && bytes[0] == '{' ? json.readTree(bytes) : msgpack.readTree(bytes);
    }

    /** A Socket.IO EVENT packet object as Node's adapters exchange it. */
    private ObjectNode packetObject(String nsp, ArrayNode data) {
        ObjectNode packet = json.createObjectNode().put("type", EVENT);
        packet.set("data", data);
        packet.put("nsp", nsp);
        return packet;
    }

    private ArrayNode eventData(String event, Object[] args) {
        ArrayNode data = json.createArrayNode().add(event);
        for (Object a : args) {
            data.add(a instanceof JsonNode n ? n : json.valueToTree(a));
        }
        return data;
    }

    // ================================================================ outgoing

    @Override
    public void broadcast(String namespace, Encoded packet, String event, BroadcastOptions options) {
        ArrayNode data;
        try {
            data = (ArrayNode) SocketDescriptions.decode(server.strictReader(), packet.text(),
                    packet.attachments().stream().map(Buffer::getBytes).toList()).data();
        } catch (ProtocolException | ClassCastException e) {
            LOG.errorf("Cannot relay a broadcast of %s to Redis: %s", namespace, e.getMessage());
            return;
        }
        server.stats().broadcastsSent.increment();
        ObjectNode opts = opts(options);
        ObjectNode flags = opts.putObject("flags");
        if (options.volatileFlag()) {
            flags.put("volatile", true);
        }
        ObjectNode origin = origin();
        boolean logged = deliversOwn(options);
        if (logged) {
            // the last argument is the offset: receivers leave it out of what @OnBroadcast methods get
            origin.put("offset", true);
        }
        opts.set("qsio", origin);
        ArrayNode message = json.createArrayNode().add(uid);
        message.add(packetObject(namespace, data));
        message.add(opts);
        String channel = broadcastChannel(namespace);
        if (options.rooms().size() == 1) {
            channel += options.rooms().iterator().next() + "#";
        }
        Buffer payload = Buffer.buffer(pack(message));
        RedisSessionStore store = recovery;
        if (logged && store != null) {
            String offset = data.get(data.size() - 1).asText();
            long minId = Math.max(0, System.currentTimeMillis() - store.windowMs());
            bus.command(Request.cmd(Command.EVAL).arg(LOG_AND_PUBLISH).arg(1).arg(store.logKey(namespace)).arg(channel)
                    .arg(payload).arg(offset).arg(minId)).onFailure(e -> {
                        LOG.warnf("A broadcast of %s could not be logged and published: %s", namespace, e.getMessage());
                    });
            return;
        }
        bus.rawPublish(channel, payload);
    }

    @Override
    public void broadcastWithAck(String namespace, String event, Object[] args, BroadcastOptions options, long timeoutMs,
            IntConsumer clientCount, Consumer<JsonNode> ack) {
        if (serverCount() <= 1) {
            return;
        }
        String requestId = newRequestId();
        ackRequests.put(requestId, new AckRequest(clientCount, ack));
        server.vertx().setTimer(timeoutMs, t -> ackRequests.remove(requestId));
        ObjectNode opts = opts(options);
        opts.putObject("flags").put("timeout", timeoutMs);
        ObjectNode request = json.createObjectNode().put("uid", uid).put("requestId", requestId).put("type", BROADCAST);
        request.set("packet", packetObject(namespace, eventData(event, args)));
        request.set("opts", opts);
        request.set("qsio", origin());
        bus.rawPublish(requestChannel(namespace), Buffer.buffer(pack(request)));
    }

    @Override
    public CompletableFuture<List<RemoteSocket>> fetchSockets(Namespace namespace, BroadcastOptions options) {
        CompletableFuture<List<RemoteSocket>> result = new CompletableFuture<>();
        numSub(namespace.name()).onComplete(ar -> {
            int others = ar.succeeded() ? ar.result() - 1 : 0;
            if (others <= 0) {
                result.complete(List.of());
                return;
            }
            List<RemoteSocket> found = new ArrayList<>();
            String requestId = newRequestId();
            track(requestId, new Pending(REMOTE_FETCH, others, response -> {
                for (JsonNode s : response.path("sockets")) {
                    found.add(SocketDescriptions.remoteSocket(json, namespace, s));
                }
            }, () -> result.complete(List.copyOf(found))), p -> result.completeExceptionally(new ClusterTimeoutException(
                    "fetchSockets timed out after " + requestTimeoutMs + " ms: " + p.received + " of " + p.expected
                            + " other servers answered")), requestTimeoutMs);
            ObjectNode request = json.createObjectNode().put("uid", uid).put("requestId", requestId).put("type",
                    REMOTE_FETCH);
            request.set("opts", opts(options));
            publishJson(requestChannel(namespace.name()), request);
        });
        return result;
    }

    @Override
    public void socketsOperation(AdapterMessage type, String namespace, BroadcastOptions options, Set<String> rooms,
            boolean close) {
        int nodeType = switch (type) {
            case SOCKETS_JOIN -> REMOTE_JOIN;
            case SOCKETS_LEAVE -> REMOTE_LEAVE;
            default -> REMOTE_DISCONNECT;
        };
        ObjectNode request = json.createObjectNode().put("uid", uid).put("type", nodeType);
        request.set("opts", opts(options));
        if (nodeType == REMOTE_DISCONNECT) {
            request.put("close", close);
        } else {
            ArrayNode r = request.putArray("rooms");
            rooms.forEach(r::add);
        }
        publishJson(requestChannel(namespace), request);
    }

    @Override
    public void serverSideEmit(String namespace, String event, Object[] args, Consumer<List<JsonNode>> ack,
            Consumer<Throwable> timeout, long timeoutMs) {
        ObjectNode request = json.createObjectNode().put("uid", uid).put("type", SERVER_SIDE_EMIT);
        request.set("data", eventData(event, args));
        request.set("qsio", origin());
        if (ack == null) {
            publishJson(requestChannel(namespace), request);
            return;
        }
        numSub(namespace).onComplete(ar -> {
            int others = ar.succeeded() ? ar.result() - 1 : 0;
            if (others <= 0) {
                ack.accept(List.of());
                return;
            }
            String requestId = newRequestId();
            List<JsonNode> responses = new ArrayList<>();
            track(requestId, new Pending(SERVER_SIDE_EMIT, others, response -> responses.add(response.path("data")),
                    () -> ack.accept(List.copyOf(responses))),
                    p -> timeout.accept(new AckTimeoutException("serverSideEmitWithAck timed out after " + timeoutMs
                            + " ms: " + p.received + " of " + p.expected + " servers answered", p.received, p.expected)),
                    timeoutMs);
            request.put("requestId", requestId);
            publishJson(requestChannel(namespace), request);
        });
    }

    private void track(String requestId, Pending p, Consumer<Pending> onTimeout, long timeoutMs) {
        pending.put(requestId, p);
        p.timer = server.vertx().setTimer(timeoutMs, t -> {
            Pending gone = pending.remove(requestId);
            if (gone != null) {
                synchronized (gone) {
                    onTimeout.accept(gone);
                }
            }
        });
    }

    // ================================================================ incoming

    private void onBroadcast(String nsp, Buffer payload) {
        JsonNode message;
        try {
            message = msgpack.readTree(payload.getBytes());
        } catch (IOException e) {
            LOG.debugf("ignoring a malformed broadcast on %s: %s", nsp, e.getMessage());
            return;
        }
        if (!message.isArray() || message.size() < 3) {
            return;
        }
        JsonNode packet = message.get(1);
        JsonNode opts = message.get(2);
        boolean withOffset = opts.path("qsio").path("offset").asBoolean(false);
        boolean own = uid.equals(message.get(0).asText());
        if (own && !withOffset) {
            return;
        }
        String packetNsp = packet.path("nsp").asText("/");
        JsonNode data = packet.path("data");
        if (!packetNsp.equals(nsp) || !data.isArray() || data.isEmpty()) {
            return;
        }
        if (!own) {
            server.stats().broadcastsReceived.increment();
        }
        BroadcastOptions options = new BroadcastOptions(strings(opts.path("rooms")), strings(opts.path("except")), true,
                opts.path("flags").path("volatile").asBoolean(false));
        String event = data.get(0).asText();
        Object[] args = new Object[data.size() - 1];
        List<JsonNode> argList = new ArrayList<>(args.length);
        for (int i = 1; i < data.size(); i++) {
            args[i - 1] = data.get(i);
            argList.add(data.get(i));
        }
        Namespace namespace = server.existingNamespace(nsp);
        if (namespace != null) {
            ((ClusterAdapter) namespace.adapter()).localBroadcast(server.encoder().event(nsp, -1, event, args), options);
        }
        if (own) {
            // this server's @OnBroadcast methods ran when it was sent
            return;
        }
        if (withOffset && !argList.isEmpty()) {
            argList.remove(argList.size() - 1);
        }
        if (server.broadcastHooks().listens(nsp, event)) {
            JsonNode from = opts.path("qsio");
            server.broadcastHooks().deliverRemote(nsp, event, argList, options.rooms(), options.except(), false,
                    from.path("worker").asInt(-1), from.path("node").asText(message.get(0).asText()), null);
        }
    }

    private void onRequest(String nsp, Buffer payload) {
        JsonNode request;
        try {
            request = read(payload);
        } catch (IOException e) {
            LOG.debugf("ignoring a malformed request on %s: %s", nsp, e.getMessage());
            return;
        }
        if (uid.equals(request.path("uid").asText())) {
            return;
        }
        Namespace namespace = server.existingNamespace(nsp);
        try {
            switch (request.path("type").asInt(-1)) {
                case SOCKETS -> onSockets(nsp, namespace, request);
                case ALL_ROOMS -> onAllRooms(nsp, namespace, request);
                case REMOTE_JOIN, REMOTE_LEAVE, REMOTE_DISCONNECT -> onSocketsOperation(nsp, namespace, request);
                case REMOTE_FETCH -> onFetch(nsp, namespace, request);
                case SERVER_SIDE_EMIT -> onServerSideEmit(nsp, request);
                case BROADCAST -> onBroadcastWithAck(nsp, namespace, request);
                default -> LOG.debugf("ignoring a request of unknown type on %s: %s", nsp, request.path("type"));
            }
        } catch (RuntimeException e) {
            LOG.warnf("Could not apply a request from %s on %s: %s", request.path("uid").asText(), nsp, e.getMessage());
        }
    }

    private BroadcastOptions optionsOf(JsonNode opts) {
        return new BroadcastOptions(strings(opts.path("rooms")), strings(opts.path("except")), true, false);
    }

    private void respond(String nsp, ObjectNode response) {
        publishJson(responseChannel(nsp), response);
    }

    private void onSockets(String nsp, Namespace namespace, JsonNode request) {
        ObjectNode response = json.createObjectNode().put("requestId", request.path("requestId").asText());
        ArrayNode ids = response.putArray("sockets");
        if (namespace != null) {
            BroadcastOptions options = new BroadcastOptions(strings(request.path("rooms")), Set.of(), true, false);
            ((ClusterAdapter) namespace.adapter()).localSockets(options).forEach(s -> ids.add(s.id()));
        }
        respond(nsp, response);
    }

    private void onAllRooms(String nsp, Namespace namespace, JsonNode request) {
        ObjectNode response = json.createObjectNode().put("requestId", request.path("requestId").asText());
        ArrayNode rooms = response.putArray("rooms");
        if (namespace != null) {
            namespace.adapter().rooms().forEach(rooms::add);
        }
        respond(nsp, response);
    }

    private void onSocketsOperation(String nsp, Namespace namespace, JsonNode request) {
        if (namespace == null) {
            return;
        }
        ClusterAdapter adapter = (ClusterAdapter) namespace.adapter();
        int type = request.path("type").asInt();
        if (request.hasNonNull("opts")) {
            BroadcastOptions options = optionsOf(request.path("opts"));
            switch (type) {
                case REMOTE_JOIN -> adapter.localAddSockets(options, strings(request.path("rooms")));
                case REMOTE_LEAVE -> adapter.localDelSockets(options, strings(request.path("rooms")));
                default -> adapter.localDisconnectSockets(options, request.path("close").asBoolean(false));
            }
            return;
        }
        // the older form names one socket (Node's remoteJoin/remoteLeave/remoteDisconnect)
        SocketImpl socket = namespace.socketImpl(request.path("sid").asText());
        if (socket == null) {
            return;
        }
        switch (type) {
            case REMOTE_JOIN -> socket.join(request.path("room").asText());
            case REMOTE_LEAVE -> socket.leave(request.path("room").asText());
            default -> socket.disconnect(request.path("close").asBoolean(false));
        }
        respond(nsp, json.createObjectNode().put("requestId", request.path("requestId").asText()));
    }

    private void onFetch(String nsp, Namespace namespace, JsonNode request) {
        ObjectNode response = json.createObjectNode().put("requestId", request.path("requestId").asText());
        ArrayNode sockets = response.putArray("sockets");
        if (namespace != null) {
            for (SocketImpl s : ((ClusterAdapter) namespace.adapter()).localSockets(optionsOf(request.path("opts")))) {
                sockets.add(SocketDescriptions.describe(json, s));
            }
        }
        respond(nsp, response);
    }

    private void onServerSideEmit(String nsp, JsonNode request) {
        JsonNode data = request.path("data");
        if (!data.isArray() || data.isEmpty()) {
            return;
        }
        List<JsonNode> args = new ArrayList<>();
        for (int i = 1; i < data.size(); i++) {
            args.add(data.get(i));
        }
        String requestId = request.hasNonNull("requestId") ? request.path("requestId").asText() : null;
        Consumer<Object> reply = requestId == null ? null : value -> {
            ObjectNode response = json.createObjectNode().put("type", SERVER_SIDE_EMIT).put("requestId", requestId);
            response.set("data", value instanceof JsonNode n ? n : json.valueToTree(value));
            respond(nsp, response);
        };
        JsonNode from = request.path("qsio");
        server.broadcastHooks().deliverRemote(nsp, data.get(0).asText(), args, Set.of(), Set.of(), true,
                from.path("worker").asInt(-1), from.path("node").asText(request.path("uid").asText()), reply);
    }

    private void onBroadcastWithAck(String nsp, Namespace namespace, JsonNode request) {
        String requestId = request.path("requestId").asText();
        int count = 0;
        JsonNode data = request.path("packet").path("data");
        if (namespace != null && data.isArray() && !data.isEmpty()) {
            Object[] args = new Object[data.size() - 1];
            for (int i = 1; i < data.size(); i++) {
                args[i - 1] = data.get(i);
            }
            Encoded local = server.encoder().event(nsp, namespace.nextAckId(), data.get(0).asText(), args);
            count = ((ClusterAdapter) namespace.adapter()).localBroadcastWithAck(local, optionsOf(request.path("opts")),
                    answer -> {
                        ObjectNode response = json.createObjectNode().put("type", BROADCAST_ACK).put("requestId",
                                requestId);
                        response.set("packet", answer == null ? NullNode.getInstance() : answer);
                        bus.rawPublish(responseChannel(nsp), Buffer.buffer(pack(response)));
                    });
        }
        respond(nsp, json.createObjectNode().put("type", BROADCAST_CLIENT_COUNT).put("requestId", requestId)
                .put("clientCount", count));
    }

    private void onResponse(Buffer payload) {
        JsonNode response;
        try {
            response = read(payload);
        } catch (IOException e) {
            LOG.debugf("ignoring a malformed response: %s", e.getMessage());
            return;
        }
        String requestId = response.path("requestId").asText();
        AckRequest ackRequest = ackRequests.get(requestId);
        if (ackRequest != null) {
            switch (response.path("type").asInt(-1)) {
                case BROADCAST_CLIENT_COUNT -> ackRequest.clientCount().accept(response.path("clientCount").asInt());
                case BROADCAST_ACK -> ackRequest.ack().accept(response.path("packet"));
                default -> {
                }
            }
            return;
        }
        Pending p = pending.get(requestId);
        if (p == null) {
            return;
        }
        boolean complete;
        synchronized (p) {
            p.received++;
            p.onResponse.accept(response);
            complete = p.received >= p.expected;
        }
        if (complete && pending.remove(requestId) != null) {
            server.vertx().cancelTimer(p.timer);
            p.onComplete.run();
        }
    }
}
