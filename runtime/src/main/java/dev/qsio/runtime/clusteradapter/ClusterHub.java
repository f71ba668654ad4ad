package dev.qsio.runtime.clusteradapter;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;

import dev.qsio.AckTimeoutException;
import dev.qsio.RemoteSocket;
import dev.qsio.RoomEvent;
import dev.qsio.runtime.adapter.AdapterFactory;
import dev.qsio.runtime.adapter.AdapterSocket;
import dev.qsio.runtime.adapter.Broadcast;
import dev.qsio.runtime.adapter.BroadcastAcks;
import dev.qsio.runtime.adapter.BroadcastOptions;
import dev.qsio.runtime.adapter.LocalSockets;
import dev.qsio.runtime.adapter.RemoteBroadcastHooks;
import dev.qsio.runtime.clusteradapter.AdapterMessage.Origin;
import dev.qsio.runtime.clusteradapter.AdapterMessage.Selection;
import dev.qsio.runtime.protocol.ProtocolException;
import dev.qsio.runtime.protocol.ProtocolJson;
import dev.qsio.runtime.requests.RequestTracker;
import dev.qsio.runtime.spans.Tracing;

/**
 * The cluster adapter of one server, whatever the wire: it sends the operations of every namespace's
 * {@link ClusterAdapter} to the other servers, applies theirs to its local sockets, and collects the answers to its
 * requests (with the server's {@link RequestTracker}). The {@link AdapterLink} only encodes and carries.
 */
public final class ClusterHub {

    private static final Logger LOG = Logger.getLogger(ClusterHub.class);

    private final AdapterLink link;
    private final ProtocolJson json;
    private final RemoteBroadcastHooks hooks;
    private final Counts counts;
    private final RequestTracker requests;
    private final Tracing tracing;
    private final long requestTimeoutMs;
    private final Origin origin;
    private final String requestPrefix;
    /** The adapters this hub created, by namespace name. */
    private final Map<String, ClusterAdapter> adapters = new ConcurrentHashMap<>();

    public ClusterHub(AdapterLink link, ProtocolJson json, RemoteBroadcastHooks hooks, Counts counts,
            RequestTracker requests, Tracing tracing, long requestTimeoutMs, int workerId, String nodeId) {
        this.link = link;
        this.json = json;
        this.hooks = hooks;
        this.counts = counts;
        this.requests = requests;
        this.tracing = tracing;
        this.requestTimeoutMs = requestTimeoutMs;
        this.origin = new Origin(link.self(), workerId, nodeId);
        this.requestPrefix = link.self() + ":";
        link.start(this);
    }

    /**
     * Where the hub counts the broadcasts it sends to the other servers and receives from them: the server's figures,
     * given by whoever builds the hub, so that the cluster adapter needs nothing of the server.
     */
    public record Counts(LongAdder broadcastsSent, LongAdder broadcastsReceived) {
    }

    /** Creates each namespace's adapter, and keeps it to apply the other servers' operations. */
    public AdapterFactory adapters() {
        return namespace -> {
            ClusterAdapter adapter = new ClusterAdapter(namespace, this, json.encoder(), requests);
            adapters.put(namespace.name(), adapter);
            link.opened(namespace.name());
            return adapter;
        };
    }

    Consumer<RoomEvent> roomWatcher(LocalSockets namespace) {
        return link.roomWatcher(namespace);
    }

    void closed(ClusterAdapter adapter) {
        if (adapters.remove(adapter.name(), adapter)) {
            link.closed(adapter.name());
        }
    }

    private String wireId(long id) {
        return requestPrefix + id;
    }

    /** The id of one of this server's requests, or -1 when the request is another server's. */
    private long localId(String requestId) {
        if (requestId == null || !requestId.startsWith(requestPrefix)) {
            return -1;
        }
        try {
            return Long.parseLong(requestId, requestPrefix.length(), requestId.length(), 10);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** This server as the origin of a message, with the trace context it is sent in. */
    private Origin origin() {
        return origin.traced(tracing.context());
    }

    private static Selection selection(BroadcastOptions options) {
        return new Selection(options.rooms(), options.except());
    }

    // ================================================================ outgoing

    /** The other servers of a namespace as last known: what a broadcast with acknowledgements waits for. */
    Others othersNow(String namespace) {
        return link.othersNow(namespace);
    }

    boolean deliversOwn(BroadcastOptions options) {
        return link.deliversOwn(options);
    }

    void broadcast(Broadcast b) {
        counts.broadcastsSent().increment();
        link.publish(new AdapterMessage.Broadcast(origin(), b.namespace(), EventPayload.of(b.event(), b.args(),
                b.packet()), selection(b.options()), b.options().volatileFlag(), b.options().compress(), b.withOffset(),
                b.direct(), null, 0));
    }

    void broadcastWithAck(Broadcast b, long requestId, long timeoutMs) {
        if (othersNow(b.namespace()).none()) {
            return;
        }
        link.publish(new AdapterMessage.Broadcast(origin(), b.namespace(), EventPayload.of(b.event(), b.args(),
                b.packet()), selection(b.options()), b.options().volatileFlag(), b.options().compress(), false, false,
                wireId(requestId), timeoutMs));
    }

    void socketsOperation(String namespace, AdapterMessage.Operation operation, BroadcastOptions options,
            Set<String> rooms, boolean close) {
        link.publish(new AdapterMessage.SocketsOperation(origin(), namespace, operation, selection(options), rooms,
                close));
    }

    CompletionStage<List<RemoteSocket>> fetchSockets(ClusterAdapter adapter, BroadcastOptions options) {
        CompletableFuture<List<RemoteSocket>> result = new CompletableFuture<>();
        Origin sender = origin();
        link.others(adapter.name()).onComplete(ar -> {
            Others others = ar.succeeded() ? ar.result() : Others.counted(0);
            Collect<RemoteSocket> request = requests.open(new Collect<>(others, result, (answer, found) -> {
                if (answer instanceof AdapterMessage.FetchSocketsResponse response) {
                    for (JsonNode s : response.sockets()) {
                        found.add(SocketDescriptions.remoteSocket(json.mapper(), adapter.sockets(), s));
                    }
                }
            }, (answered, expected, summary, sockets) -> new ClusterTimeoutException("fetchSockets timed out after "
                    + requestTimeoutMs + " ms: " + summary)), requestTimeoutMs);
            if (!others.none()) {
                link.publish(new AdapterMessage.FetchSockets(sender, adapter.name(), wireId(request.id()),
                        selection(options)));
            }
        });
        return result;
    }

    void serverSideEmit(String namespace, String event, Object[] args) {
        link.publish(new AdapterMessage.ServerSideEmit(origin(), namespace, null, EventPayload.of(event, args, null)));
    }

    CompletionStage<List<JsonNode>> serverSideEmitWithAck(String namespace, String event, Object[] args, long timeoutMs) {
        CompletableFuture<List<JsonNode>> result = new CompletableFuture<>();
        Origin sender = origin();
        link.others(namespace).onComplete(ar -> {
            Others others = ar.succeeded() ? ar.result() : Others.counted(0);
            Collect<JsonNode> request = requests.open(new Collect<>(others, result, (answer, answers) -> {
                if (answer instanceof AdapterMessage.ServerSideEmitResponse response) {
                    answers.add(response.value());
                }
            }, (answered, expected, summary, answers) -> new AckTimeoutException("serverSideEmitWithAck timed out after "
                    + timeoutMs + " ms: " + summary, answered, expected, answers)), timeoutMs);
            if (!others.none()) {
                link.publish(new AdapterMessage.ServerSideEmit(sender, namespace, wireId(request.id()),
                        EventPayload.of(event, args, null)));
            }
        });
        return result;
    }

    /** The number of servers of a namespace, this one included, as last known. */
    int serverCount(String namespace) {
        return othersNow(namespace).count() + 1;
    }

    /**
     * A request that collects what each other server answered (fetchSockets: the sockets it selected;
     * serverSideEmitWithAck: its handlers' answer), completing with all of it, or failing at the timeout.
     */
    /**
     * The failure of a request that timed out, given how many servers answered, a sentence saying it, and what the
     * servers that answered in time said (Node's {@code serverSideEmit} callback gets them with its error).
     */
    @FunctionalInterface
    private interface TimeoutFailure<T> {
        RuntimeException failure(int answered, int expected, String summary, List<T> answers);
    }

    private static final class Collect<T> extends RequestTracker.Request {
        private final CompletableFuture<List<T>> result;
        private final BiConsumer<Object, List<T>> collect;
        private final TimeoutFailure<T> timeout;
        private final List<T> items = new ArrayList<>();
        private final int expected;

        Collect(Others others, CompletableFuture<List<T>> result, BiConsumer<Object, List<T>> collect,
                TimeoutFailure<T> timeout) {
            super(others.members(), others.count());
            this.result = result;
            this.collect = collect;
            this.timeout = timeout;
            this.expected = others.count();
        }

        @Override
        protected boolean answered(String from, Object answer) {
            collect.accept(answer, items);
            return true;
        }

        @Override
        protected void completed() {
            result.complete(List.copyOf(items));
        }

        @Override
        protected void timedOut() {
            Set<String> missing = missing();
            int answered = expected - remaining();
            result.completeExceptionally(timeout.failure(answered, expected, answered + " of " + expected
                    + " other servers answered" + (missing.isEmpty() ? "" : " (missing: " + missing + ")"),
                    List.copyOf(items)));
        }
    }

    // ================================================================ incoming

    /** A message from another server ({@code from}: its member id, or null when the wire does not say). */
    public void onMessage(String from, AdapterMessage message) {
        try {
            if (message instanceof AdapterMessage.Broadcast b) {
                onBroadcast(b);
            } else if (message instanceof AdapterMessage.SocketsOperation o) {
                traced(delivery(switch (o.operation()) {
                    case JOIN -> Tracing.Delivery.SOCKETS_JOIN;
                    case LEAVE -> Tracing.Delivery.SOCKETS_LEAVE;
                    case DISCONNECT -> Tracing.Delivery.DISCONNECT_SOCKETS;
                }, o.namespace(), null, o.origin()), () -> onSocketsOperation(o));
            } else if (message instanceof AdapterMessage.FetchSockets f) {
                traced(delivery(Tracing.Delivery.FETCH_SOCKETS, f.namespace(), null, f.origin()), () -> onFetchSockets(f));
            } else if (message instanceof AdapterMessage.ServerSideEmit e) {
                traced(delivery(Tracing.Delivery.SERVER_SIDE_EMIT, e.namespace(),
                        tracing.enabled() ? e.payload().event(json) : null, e.origin()), () -> onServerSideEmit(e));
            } else if (message instanceof AdapterMessage.FetchSocketsResponse r) {
                requests.answer(localId(r.requestId()), from, r);
            } else if (message instanceof AdapterMessage.ServerSideEmitResponse r) {
                requests.answer(localId(r.requestId()), from, r);
            } else if (message instanceof AdapterMessage.BroadcastClientCount c) {
                requests.answer(localId(c.requestId()), from, new BroadcastAcks.Reached(c.clientCount()));
            } else if (message instanceof AdapterMessage.BroadcastAck a) {
                requests.answer(localId(a.requestId()), from, new BroadcastAcks.Answer(a.values()));
            }
        } catch (ProtocolException | RuntimeException e) {
            LOG.warnf("Could not apply a %s message from %s: %s", message.getClass().getSimpleName(), from,
                    e.getMessage());
        }
    }

    /** A server left the cluster: requests stop waiting for it. */
    public void onMemberLeft(String member) {
        requests.memberLeft(member);
    }

    private static BroadcastOptions localOptions(Selection selection) {
        return new BroadcastOptions(selection.rooms(), selection.except(), true, false);
    }

    /** Something done for another server's message. */
    @FunctionalInterface
    private interface Application {
        void apply() throws ProtocolException;
    }

    /** Applies another server's message in its span. */
    private static void traced(Tracing.Span span, Application application) throws ProtocolException {
        try (Tracing.Scope scope = span.enter()) {
            application.apply();
        } catch (ProtocolException | RuntimeException e) {
            span.end(e);
            throw e;
        }
        span.end(null);
    }

    /** The span of another server's message applied here, continuing the sender's trace. */
    private Tracing.Span delivery(Tracing.Delivery kind, String namespace, String event, Origin from) {
        return tracing.delivering(kind, namespace, event, from.trace(), from.worker(), from.node());
    }

    private void onBroadcast(AdapterMessage.Broadcast b) throws ProtocolException {
        boolean own = b.origin().member().equals(origin.member());
        if (own && !b.withOffset()) {
            // delivered to local clients when it was sent
            return;
        }
        if (own) {
            // the sender's span covers its own logged broadcast, delivered in the log's order
            deliver(b, true);
            return;
        }
        counts.broadcastsReceived().increment();
        if (!tracing.enabled()) {
            deliver(b, false);
            return;
        }
        // one span per broadcast on each server, whatever the number of its clients reached
        traced(delivery(Tracing.Delivery.BROADCAST, b.namespace(), b.payload().event(json), b.origin()),
                () -> deliver(b, false));
    }

    private void deliver(AdapterMessage.Broadcast b, boolean own) throws ProtocolException {
        String namespace = b.namespace();
        ClusterAdapter adapter = adapters.get(namespace);
        BroadcastOptions options = localOptions(b.selection()).withCompress(b.compress());
        if (b.volatileFlag()) {
            options = options.withVolatile();
        }
        if (b.requestId() != null) {
            int count = 0;
            if (adapter != null) {
                String requester = b.origin().member();
                count = adapter.localBroadcastWithAck(b.payload().event(json), b.payload().args(json), options,
                        b.timeoutMs(),
                        values -> link.respond(requester, new AdapterMessage.BroadcastAck(namespace, b.requestId(),
                                values)));
            }
            link.respond(b.origin().member(), new AdapterMessage.BroadcastClientCount(namespace, b.requestId(),
                    count));
        } else if (adapter != null) {
            adapter.localBroadcast(b.payload().encoded(json, namespace), options);
        }
        if (own || b.direct()) {
            // this server's @OnBroadcast methods ran when it was sent; a socket's own emit is no broadcast for them
            return;
        }
        String event = b.payload().event(json);
        if (hooks.listens(namespace, event)) {
            List<JsonNode> args = b.payload().argTrees(json);
            if (b.withOffset() && !args.isEmpty()) {
                args.remove(args.size() - 1);
            }
            hooks.deliverRemote(namespace, event, args, b.selection().rooms(), b.selection().except(), false,
                    b.origin().worker(), b.origin().node(), null);
        }
    }

    private void onSocketsOperation(AdapterMessage.SocketsOperation o) {
        ClusterAdapter adapter = adapters.get(o.namespace());
        if (adapter == null) {
            return;
        }
        BroadcastOptions options = localOptions(o.selection());
        switch (o.operation()) {
            case JOIN -> adapter.localAddSockets(options, o.rooms());
            case LEAVE -> adapter.localDelSockets(options, o.rooms());
            case DISCONNECT -> adapter.localDisconnectSockets(options, o.close());
        }
    }

    private void onFetchSockets(AdapterMessage.FetchSockets f) {
        ClusterAdapter adapter = adapters.get(f.namespace());
        List<JsonNode> sockets = new ArrayList<>();
        if (adapter != null) {
            for (AdapterSocket socket : adapter.localSockets(localOptions(f.selection()))) {
                sockets.add(SocketDescriptions.describe(json.mapper(), socket));
            }
        }
        link.respond(f.origin().member(), new AdapterMessage.FetchSocketsResponse(f.namespace(), f.requestId(),
                sockets));
    }

    private void onServerSideEmit(AdapterMessage.ServerSideEmit e) throws ProtocolException {
        String requester = e.origin().member();
        Consumer<Object> reply = e.requestId() == null ? null
                : value -> link.respond(requester, new AdapterMessage.ServerSideEmitResponse(e.namespace(),
                        e.requestId(), value == null ? NullNode.getInstance() : json.mapper().valueToTree(value)));
        hooks.deliverRemote(e.namespace(), e.payload().event(json), e.payload().argTrees(json), Set.of(), Set.of(), true,
                e.origin().worker(), e.origin().node(), reply);
    }

    /** The ids of the local sockets in any of these rooms (Node's older {@code sockets} request). */
    public List<String> localSocketIds(String namespace, Set<String> rooms) {
        ClusterAdapter adapter = adapters.get(namespace);
        if (adapter == null) {
            return List.of();
        }
        return adapter.localSockets(new BroadcastOptions(rooms, Set.of(), true, false)).stream().map(AdapterSocket::id)
                .toList();
    }

    /** The rooms with local members (Node's older {@code allRooms} request). */
    public Set<String> localRooms(String namespace) {
        ClusterAdapter adapter = adapters.get(namespace);
        return adapter == null ? Set.of() : adapter.rooms();
    }
}
