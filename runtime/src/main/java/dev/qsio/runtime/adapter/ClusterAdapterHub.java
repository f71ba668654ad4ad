package dev.qsio.runtime.adapter;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;

import dev.qsio.RemoteSocket;
import dev.qsio.runtime.bus.Bus;
import dev.qsio.runtime.protocol.Encoded;
import dev.qsio.runtime.protocol.Packet;
import dev.qsio.runtime.protocol.ProtocolException;
import dev.qsio.runtime.server.Namespace;
import dev.qsio.runtime.server.SocketImpl;
import dev.qsio.runtime.server.SocketIoServerImpl;
import io.vertx.core.buffer.Buffer;

/**
 * The cluster adapter's end of the bus for one server: it sends the adapter messages of every namespace, applies
 * the ones other servers send, and collects responses to requests, which never wait for a server that left.
 */
public final class ClusterAdapterHub implements Bus.Listener, Peers {

    private static final Logger LOG = Logger.getLogger(ClusterAdapterHub.class);

    /** A request whose responses are being collected. */
    private final class Request {
        final long id;
        final Set<String> waitingFor;
        final Consumer<Reader> onResponse;
        final Runnable onComplete;
        final Consumer<Set<String>> onTimeout;
        final Consumer<String> onMemberGone;
        long timer = -1;
        boolean done;
        /** Broadcasts with acks collect answers until the caller's timeout, after every server reported. */
        boolean collectUntilTimeout;

        Request(long id, Set<String> waitingFor, Consumer<Reader> onResponse, Runnable onComplete,
                Consumer<Set<String>> onTimeout, Consumer<String> onMemberGone) {
            this.id = id;
            this.waitingFor = waitingFor;
            this.onResponse = onResponse;
            this.onComplete = onComplete;
            this.onTimeout = onTimeout;
            this.onMemberGone = onMemberGone;
        }
    }

    /** Reader alias for callbacks. */
    static final class Reader {
        final AdapterWire.Reader wire;
        final String from;

        Reader(AdapterWire.Reader wire, String from) {
            this.wire = wire;
            this.from = from;
        }
    }

    private final SocketIoServerImpl server;
    private final Bus bus;
    private final int workerId;
    private final long requestTimeoutMs;
    private final ObjectMapper mapper;
    private final AtomicLong requestIds = new AtomicLong();
    private final Map<Long, Request> pending = new ConcurrentHashMap<>();

    public ClusterAdapterHub(SocketIoServerImpl server, Bus bus, int workerId, long requestTimeoutMs) {
        this.server = server;
        this.bus = bus;
        this.workerId = workerId;
        this.requestTimeoutMs = requestTimeoutMs;
        this.mapper = server.protocolMapper();
        bus.listen(Bus.Channel.ADAPTER, this);
    }

    /** The adapter of a namespace, backed by this hub. */
    public Adapter adapterFor(Namespace namespace) {
        return new ClusterAdapter(namespace, this);
    }

    Bus bus() {
        return bus;
    }

    @Override
    public int serverCount() {
        return Math.max(1, bus.members().size());
    }

    AdapterWire.Writer message(AdapterMessage type, String namespace) {
        return new AdapterWire.Writer(type, bus.self(), workerId, namespace);
    }

    void publish(AdapterWire.Writer message) {
        bus.publish(Bus.Channel.ADAPTER, message.toBuffer());
    }

    private Set<String> others() {
        Set<String> others = new HashSet<>(bus.members());
        others.remove(bus.self());
        return others;
    }

    // ---- outgoing

    @Override
    public void broadcast(String namespace, Encoded packet, String event, BroadcastOptions options) {
        server.stats().broadcastsSent.increment();
        publish(message(AdapterMessage.BROADCAST, namespace).string(packet.text())
                .binaries(packet.attachments().stream().map(Buffer::getBytes).toList())
                .strings(options.rooms()).strings(options.except()).bool(options.volatileFlag()).string(event).number(-1));
    }

    @Override
    public void broadcastWithAck(String namespace, String event, Object[] args, BroadcastOptions options, long timeoutMs,
            IntConsumer clientCount, Consumer<JsonNode> ack) {
        Set<String> others = others();
        if (others.isEmpty()) {
            return;
        }
        long id = requestIds.incrementAndGet();
        Encoded packet = server.encoder().event(namespace, -1, event, args);
        Request request = new Request(id, others, r -> {
            try {
                if (r.wire.type == AdapterMessage.BROADCAST_CLIENT_COUNT) {
                    clientCount.accept((int) r.wire.number());
                } else {
                    ack.accept(decodeValue(r.wire.string(), r.wire.binaries()));
                }
            } catch (IOException e) {
                LOG.debugf("bad broadcast ack from %s: %s", r.from, e.getMessage());
            }
        }, () -> {
        }, missing -> {
        }, gone -> clientCount.accept(0));
        // the caller times out on its own; the request is forgotten a little after
        request.collectUntilTimeout = true;
        track(request, timeoutMs + requestTimeoutMs, true);
        publish(message(AdapterMessage.BROADCAST, namespace).string(packet.text())
                .binaries(packet.attachments().stream().map(Buffer::getBytes).toList())
                .strings(options.rooms()).strings(options.except()).bool(options.volatileFlag()).string(event).number(id));
    }

    @Override
    public void socketsOperation(AdapterMessage type, String namespace, BroadcastOptions options, Set<String> rooms,
            boolean close) {
        publish(message(type, namespace).strings(options.rooms()).strings(options.except()).strings(rooms).bool(close));
    }

    @Override
    public CompletableFuture<List<RemoteSocket>> fetchSockets(Namespace namespace, BroadcastOptions options) {
        CompletableFuture<List<RemoteSocket>> result = new CompletableFuture<>();
        Set<String> others = others();
        if (others.isEmpty()) {
            result.complete(List.of());
            return result;
        }
        long id = requestIds.incrementAndGet();
        List<RemoteSocket> found = new ArrayList<>();
        Request request = new Request(id, others, r -> {
            try {
                ArrayNode sockets = (ArrayNode) mapper.readTree(r.wire.string());
                synchronized (found) {
                    for (JsonNode s : sockets) {
                        found.add(SocketDescriptions.remoteSocket(mapper, namespace, s));
                    }
                }
            } catch (IOException e) {
                LOG.debugf("bad fetchSockets response from %s: %s", r.from, e.getMessage());
            }
        }, () -> {
            synchronized (found) {
                result.complete(List.copyOf(found));
            }
        }, missing -> result.completeExceptionally(new ClusterTimeoutException("fetchSockets timed out after "
                + requestTimeoutMs + " ms waiting for " + missing.size() + " of " + others.size() + " servers: " + missing)),
                gone -> {
                });
        track(request, requestTimeoutMs, false);
        publish(message(AdapterMessage.FETCH_SOCKETS, namespace.name()).number(id).strings(options.rooms())
                .strings(options.except()));
        return result;
    }

    @Override
    public void serverSideEmit(String namespace, String event, Object[] args, Consumer<List<JsonNode>> ack,
            Consumer<Throwable> timeout, long timeoutMs) {
        Encoded packet = server.encoder().event(namespace, -1, event, args);
        Set<String> others = others();
        long id = -1;
        if (ack != null) {
            if (others.isEmpty()) {
                ack.accept(List.of());
                return;
            }
            id = requestIds.incrementAndGet();
            List<JsonNode> responses = new ArrayList<>();
            Request request = new Request(id, others, r -> {
                try {
                    JsonNode value = decodeValue(r.wire.string(), r.wire.binaries());
                    synchronized (responses) {
                        responses.add(value);
                    }
                } catch (IOException e) {
                    LOG.debugf("bad serverSideEmit response from %s: %s", r.from, e.getMessage());
                }
            }, () -> {
                synchronized (responses) {
                    ack.accept(List.copyOf(responses));
                }
            }, missing -> {
                int got;
                synchronized (responses) {
                    got = responses.size();
                }
                timeout.accept(new dev.qsio.AckTimeoutException("serverSideEmitWithAck timed out after " + timeoutMs
                        + " ms: " + got + " of " + others.size() + " servers answered (missing: " + missing + ")", got,
                        others.size()));
            }, gone -> {
            });
            track(request, timeoutMs, false);
        }
        publish(message(AdapterMessage.SERVER_SIDE_EMIT, namespace).number(id).string(event).string(packet.text())
                .binaries(packet.attachments().stream().map(Buffer::getBytes).toList()));
    }

    private void track(Request request, long timeoutMs, boolean silentTimeout) {
        pending.put(request.id, request);
        request.timer = server.vertx().setTimer(timeoutMs, t -> {
            Request r = pending.remove(request.id);
            if (r != null) {
                Set<String> missing;
                synchronized (r) {
                    r.done = true;
                    missing = Set.copyOf(r.waitingFor);
                }
                if (!silentTimeout) {
                    r.onTimeout.accept(missing);
                }
            }
        });
    }

    private void respond(String to, AdapterWire.Writer response) {
        bus.send(to, Bus.Channel.ADAPTER, response.toBuffer());
    }

    // ---- incoming

    @Override
    public void onMessage(String from, Buffer payload) {
        AdapterWire.Reader r;
        try {
            r = new AdapterWire.Reader(payload);
        } catch (IOException e) {
            LOG.debugf("bad adapter message from %s: %s", from, e.getMessage());
            return;
        }
        if (r.origin.equals(bus.self())) {
            return;
        }
        try {
            switch (r.type) {
                case BROADCAST -> onBroadcast(r);
                case SOCKETS_JOIN, SOCKETS_LEAVE, DISCONNECT_SOCKETS -> onSocketsOperation(r);
                case FETCH_SOCKETS -> onFetchSockets(r);
                case SERVER_SIDE_EMIT -> onServerSideEmit(r);
                case FETCH_SOCKETS_RESPONSE, SERVER_SIDE_EMIT_RESPONSE, BROADCAST_CLIENT_COUNT, BROADCAST_ACK ->
                    onResponse(r, from);
            }
        } catch (IOException | ProtocolException | RuntimeException e) {
            LOG.warnf("Could not apply a %s message from %s: %s", r.type, from, e.getMessage());
        }
    }

    private void onBroadcast(AdapterWire.Reader r) throws IOException, ProtocolException {
        server.stats().broadcastsReceived.increment();
        String text = r.string();
        List<byte[]> attachments = r.binaries();
        BroadcastOptions options = new BroadcastOptions(r.strings(), r.strings(), true, r.bool());
        String event = r.string();
        long requestId = r.number();
        Namespace namespace = server.existingNamespace(r.namespace);
        if (requestId >= 0) {
            int count = 0;
            if (namespace != null) {
                ArrayNode data = (ArrayNode) decode(text, attachments).data();
                Object[] args = new Object[data.size() - 1];
                for (int i = 1; i < data.size(); i++) {
                    args[i - 1] = data.get(i);
                }
                Encoded local = server.encoder().event(namespace.name(), namespace.nextAckId(), data.get(0).asText(), args);
                String origin = r.origin;
                count = ((ClusterAdapter) namespace.adapter()).localBroadcastWithAck(local, options, answer -> {
                    Encoded value = server.encoder().ack("/", -1, new Object[] { answer });
                    respond(origin, message(AdapterMessage.BROADCAST_ACK, r.namespace).number(requestId)
                            .string(value.text()).binaries(value.attachments().stream().map(Buffer::getBytes).toList()));
                });
            }
            respond(r.origin, message(AdapterMessage.BROADCAST_CLIENT_COUNT, r.namespace).number(requestId).number(count));
        } else if (namespace != null) {
            ((ClusterAdapter) namespace.adapter()).localBroadcast(new EncodedView(text, attachments).encoded(), options);
        }
        if (event != null && server.broadcastHooks().listens(r.namespace, event)) {
            ArrayNode data = (ArrayNode) decode(text, attachments).data();
            List<JsonNode> args = new ArrayList<>();
            for (int i = 1; i < data.size(); i++) {
                args.add(data.get(i));
            }
            server.broadcastHooks().deliverRemote(r.namespace, event, args, options.rooms(), options.except(), false,
                    r.originWorker, nodeOf(r.origin), null);
        }
    }

    private void onSocketsOperation(AdapterWire.Reader r) throws IOException {
        BroadcastOptions options = new BroadcastOptions(r.strings(), r.strings(), true, false);
        Set<String> rooms = r.strings();
        boolean close = r.bool();
        Namespace namespace = server.existingNamespace(r.namespace);
        if (namespace == null) {
            return;
        }
        ClusterAdapter adapter = (ClusterAdapter) namespace.adapter();
        switch (r.type) {
            case SOCKETS_JOIN -> adapter.localAddSockets(options, rooms);
            case SOCKETS_LEAVE -> adapter.localDelSockets(options, rooms);
            default -> adapter.localDisconnectSockets(options, close);
        }
    }

    private void onFetchSockets(AdapterWire.Reader r) throws IOException {
        long requestId = r.number();
        BroadcastOptions options = new BroadcastOptions(r.strings(), r.strings(), true, false);
        Namespace namespace = server.existingNamespace(r.namespace);
        ArrayNode sockets = mapper.createArrayNode();
        if (namespace != null) {
            for (SocketImpl socket : ((ClusterAdapter) namespace.adapter()).localSockets(options)) {
                sockets.add(SocketDescriptions.describe(mapper, socket));
            }
        }
        respond(r.origin, message(AdapterMessage.FETCH_SOCKETS_RESPONSE, r.namespace).number(requestId)
                .string(mapper.writeValueAsString(sockets)));
    }

    private void onServerSideEmit(AdapterWire.Reader r) throws IOException, ProtocolException {
        long requestId = r.number();
        String event = r.string();
        ArrayNode data = (ArrayNode) decode(r.string(), r.binaries()).data();
        List<JsonNode> args = new ArrayList<>();
        for (int i = 1; i < data.size(); i++) {
            args.add(data.get(i));
        }
        String origin = r.origin;
        String namespace = r.namespace;
        Consumer<Object> reply = requestId < 0 ? null : value -> {
            Encoded v = server.encoder().ack("/", -1, new Object[] { value });
            respond(origin, message(AdapterMessage.SERVER_SIDE_EMIT_RESPONSE, namespace).number(requestId).string(v.text())
                    .binaries(v.attachments().stream().map(Buffer::getBytes).toList()));
        };
        server.broadcastHooks().deliverRemote(namespace, event, args, Set.of(), Set.of(), true, r.originWorker,
                nodeOf(origin), reply);
    }

    private void onResponse(AdapterWire.Reader r, String from) throws IOException {
        long requestId = r.number();
        Request request = pending.get(requestId);
        if (request == null) {
            return;
        }
        boolean complete;
        synchronized (request) {
            if (request.done) {
                return;
            }
            request.onResponse.accept(new Reader(r, from));
            if (r.type == AdapterMessage.BROADCAST_ACK) {
                return;
            }
            request.waitingFor.remove(r.origin);
            complete = request.waitingFor.isEmpty() && !request.collectUntilTimeout;
            if (complete) {
                request.done = true;
            }
        }
        if (complete) {
            pending.remove(requestId);
            server.vertx().cancelTimer(request.timer);
            request.onComplete.run();
        }
    }

    @Override
    public void onMemberLeft(String member) {
        for (Request request : List.copyOf(pending.values())) {
            boolean complete;
            synchronized (request) {
                if (request.done || !request.waitingFor.remove(member)) {
                    continue;
                }
                request.onMemberGone.accept(member);
                complete = request.waitingFor.isEmpty() && !request.collectUntilTimeout;
            }
            if (complete) {
                boolean finish;
                synchronized (request) {
                    finish = !request.done;
                    request.done = true;
                }
                if (finish && pending.remove(request.id) != null) {
                    server.vertx().cancelTimer(request.timer);
                    request.onComplete.run();
                }
            }
        }
    }

    // ---- encoding of values and sockets

    private Packet decode(String text, List<byte[]> attachments) throws ProtocolException {
        return SocketDescriptions.decode(server.strictReader(), text, attachments);
    }

    private JsonNode decodeValue(String text, List<byte[]> attachments) throws IOException {
        try {
            JsonNode data = decode(text, attachments).data();
            return data == null || data.isEmpty() ? NullNode.getInstance() : data.get(0);
        } catch (ProtocolException e) {
            throw new IOException(e.getMessage());
        }
    }

    private static String nodeOf(String member) {
        int slash = member.lastIndexOf('/');
        return slash < 0 ? member : member.substring(0, slash);
    }

    /** An encoded packet rebuilt from its wire form, to write to local clients unchanged. */
    private record EncodedView(String text, List<byte[]> attachments) {
        Encoded encoded() {
            return Encoded.of(text, attachments.stream().map(Buffer::buffer).toList());
        }
    }
}
