package dev.qsio.runtime.server;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;

import dev.qsio.Ack;
import dev.qsio.AckTimeoutException;
import dev.qsio.AnyListener;
import dev.qsio.BroadcastOperator;
import dev.qsio.EngineIoSocket;
import dev.qsio.EventArgs;
import dev.qsio.Handshake;
import dev.qsio.PacketMiddleware;
import dev.qsio.SocketIoSocket;
import dev.qsio.runtime.adapter.AdapterSocket;
import dev.qsio.runtime.adapter.BroadcastOptions;
import dev.qsio.runtime.adapter.SessionStore;
import dev.qsio.runtime.engine.Fanout;
import dev.qsio.runtime.engine.Ids;
import dev.qsio.runtime.protocol.Encoded;
import dev.qsio.runtime.protocol.Packet;
import dev.qsio.runtime.protocol.PacketKind;
import dev.qsio.runtime.protocol.ProtocolException;
import dev.qsio.runtime.security.IdentitySnapshot;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;

/**
 * A socket: one client's presence in one namespace.
 */
public final class SocketImpl implements SocketIoSocket, AdapterSocket {

    private static final Logger LOG = Logger.getLogger(SocketImpl.class);

    private final String id;
    final Namespace namespace;
    final Client client;
    private final Handshake handshake;
    /** Made when first used, as most sockets never use them (an empty map costs 64 bytes a socket). */
    private volatile Map<String, Object> data;
    private volatile Map<Long, PendingAck> acks;
    /** The trace of this socket's connection, as {@link Tracing#connected} gave it (null without tracing). */
    private volatile Object trace;
    final SerialExecutor executor;
    private volatile boolean connected;
    /** The private id of connection state recovery, or null when recovery is off. */
    private final String pid;
    private final boolean recovered;
    /** The last offset the client saw, for a recovered socket. */
    private final String clientOffset;
    /** Set when the client came back on another connection and this socket gives way to the restored one. */
    private volatile boolean replaced;
    /** While a recovered socket catches up: the packets written to it meanwhile, sent once it has caught up. */
    /** Written under the monitor; read first without it by broadcasts (null but while a recovery is replayed). */
    private volatile List<Encoded> held;
    /**
     * After catching up, the packets already sent from the log: live copies of them may still arrive (they were
     * logged before the log was read, but their delivery comes later on another connection) and are dropped.
     */
    private volatile Set<String> alreadySent;
    /** Catch-all listeners and packet middleware: immutable lists replaced on change, null when there are none. */
    private volatile List<AnyListener> anyIncoming;
    private volatile List<AnyListener> anyOutgoing;
    private volatile List<PacketMiddleware> packetMiddleware;
    /** Who the socket is (see {@link SocketSecurity}); set before the middleware runs. */
    private volatile SecurityIdentity identity = SocketSecurity.ANONYMOUS;
    /** The timer that ends the connection when the identity's credential expires, or -1. */
    private long expiryTimer = -1;
    /** While the {@code @OnDisconnecting} handlers run: the rooms the socket was in, which it has left. */
    private volatile Set<String> roomsWhenLeaving;

    /** The reasons after which a client may recover its session (the connection was lost, not closed on purpose). */
    private static final Set<String> RECOVERABLE = Set.of("transport error", "transport close", "forced close",
            "ping timeout", "server shutting down", "forced server close", "send buffer full");

    private record PendingAck(Consumer<List<JsonNode>> callback, long timer) {
    }

    SocketImpl(Namespace namespace, Client client, Handshake handshake) {
        this(namespace, client, handshake, client.legacy() ? legacyId(namespace.name(), client) : Ids.next(),
                namespace.server.sessionStore() == null || client.legacy() ? null : Ids.next(), null);
    }

    /**
     * The id a protocol 4 client (2.x) gives its socket: the connection's id, prefixed with the namespace and
     * {@code #} outside the main namespace. (Those clients cannot recover a session: no private id.)
     */
    private static String legacyId(String namespace, Client client) {
        return "/".equals(namespace) ? client.conn.id() : namespace + "#" + client.conn.id();
    }

    /** A socket with a given id and private id: a recovered one. */
    SocketImpl(Namespace namespace, Client client, Handshake handshake, String id, String pid, String clientOffset) {
        this.id = id;
        this.pid = pid;
        this.recovered = clientOffset != null;
        this.clientOffset = clientOffset;
        this.namespace = namespace;
        this.client = client;
        this.handshake = handshake;
        this.executor = new SerialExecutor(client.context);
    }

    @Override
    public boolean recovered() {
        return recovered;
    }

    @Override
    public SecurityIdentity securityIdentity() {
        return identity;
    }

    /**
     * When the socket's credential expires (a JWT's {@code exp}), its connection is closed: the client reconnects,
     * presenting its credentials again (a fresh token from an {@code auth} callback), or stays out.
     */
    private void watchExpiry() {
        long at = IdentitySnapshot.expiresAtMillis(identity);
        if (at < 0) {
            return;
        }
        expiryTimer = namespace.server.vertx().setTimer(Math.max(1, at - System.currentTimeMillis()), t -> {
            LOG.debugf("the credential of socket %s expired; its connection is closed", id);
            client.conn.close();
        });
    }

    /** Sets who the socket is; called once, before its middleware runs. */
    SocketImpl identity(SecurityIdentity identity) {
        this.identity = identity == null ? SocketSecurity.ANONYMOUS : identity;
        return this;
    }

    /** This socket's state for connection state recovery. */
    SessionStore.Session session() {
        Map<String, Object> d = data;
        return new SessionStore.Session(id, pid, Set.copyOf(rooms()), d == null ? Map.of() : Map.copyOf(d));
    }

    /** Keeps this socket's state in the session store, when recovery is on. */
    void saveSession() {
        SessionStore store = namespace.server.sessionStore();
        if (store != null && pid != null && connected) {
            store.save(namespace.name(), session());
        }
    }

    /** Stores this socket's state as it connects: this server holds the session now. */
    private void claimSession() {
        SessionStore store = namespace.server.sessionStore();
        if (store != null && pid != null && connected) {
            store.claim(namespace.name(), session());
        }
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String namespace() {
        return namespace.name();
    }

    @Override
    public Handshake handshake() {
        return handshake;
    }

    @Override
    public Map<String, Object> data() {
        Map<String, Object> d = data;
        if (d == null) {
            synchronized (this) {
                d = data;
                if (d == null) {
                    SocketObserver observer = connected ? namespace.server.observer() : null;
                    d = observer == null ? new ConcurrentHashMap<>(4) : new ObservedData(this, observer, Map.of());
                    data = d;
                }
            }
        }
        return d;
    }

    private Map<Long, PendingAck> acks() {
        Map<Long, PendingAck> a = acks;
        if (a == null) {
            synchronized (this) {
                a = acks;
                if (a == null) {
                    a = new ConcurrentHashMap<>(4);
                    acks = a;
                }
            }
        }
        return a;
    }

    private PendingAck removeAck(long ackId) {
        Map<Long, PendingAck> a = acks;
        return a == null ? null : a.remove(ackId);
    }

    @Override
    public Set<String> rooms() {
        Set<String> leaving = roomsWhenLeaving;
        return leaving != null ? leaving : namespace.adapter().socketRooms(id);
    }

    @Override
    public boolean connected() {
        return connected;
    }

    @Override
    public String transport() {
        return client.conn.transport();
    }

    @Override
    public EngineIoSocket conn() {
        return client.conn;
    }

    // ---- lifecycle

    void onConnect() {
        onConnect(null);
    }

    /** Connects, restoring a session if given: its rooms, data, then the packets it missed. */
    void onConnect(SessionStore.Restored restored) {
        if (restored != null) {
            // before the socket joins any room, its own included: a packet emitted to it meanwhile is also in the log
            // it is about to be sent from, so it must be held (and sent once), never written directly
            synchronized (this) {
                held = new ArrayList<>();
            }
        }
        connected = true;
        trace = namespace.server.tracing().connected(this);
        watchExpiry();
        namespace.added(this);
        client.added(this);
        namespace.adapter().addAll(id, Set.of(id));
        if (restored != null) {
            data().putAll(restored.session().data());
            // live broadcasts reach it from now on, held until what was logged meanwhile has been sent
            namespace.adapter().addAll(id, restored.session().rooms());
        }
        // the CONNECT answer (and a recovered socket's missed packets) go out as a task of the socket's serial
        // executor, with the @OnConnect handlers queued right behind it: an event the client sends as soon as it
        // reads the answer is queued after them, never run before them
        executor.submit(HandlerDefinition.ExecutionModel.EVENT_LOOP, () -> {
            // protocol 4 (2.x clients): the answer has no body, the client knows its id
            client.write(client.legacy()
                    ? namespace.server.json().encoder().connect(namespace.name(), null)
                    : namespace.server.json().encoder().connected(namespace.name(), id, pid), false);
            if (restored != null) {
                Set<String> sent = new HashSet<>();
                for (SessionStore.Logged missed : restored.missed()) {
                    client.write(missed.packet(), false);
                    sent.add(missed.packet().identity());
                }
                namespace.server.sessionStore().since(namespace.name(), restored.session().rooms(),
                        restored.lastOffset(clientOffset)).subscribe().with(
                                later -> client.context.runOnContext(v -> caughtUp(later, sent)),
                                failure -> client.context.runOnContext(v -> caughtUp(List.of(), sent)));
            }
        });
        claimSession();
        SocketObserver observer = namespace.server.observer();
        if (observer != null) {
            synchronized (this) {
                Map<String, Object> d = data;
                if (d != null) {
                    data = new ObservedData(this, observer, d);
                }
            }
            // after the CONNECT answer, before the @OnConnect handlers: what the observer sends the client follows it
            executor.submit(HandlerDefinition.ExecutionModel.EVENT_LOOP, () -> observer.connected(this, client.conn.id()));
        }
        for (HandlerMethod m : namespace.handlers.connect) {
            executor.submit(m.execution, () -> call(m, new HandlerMethod.Call(this, null, null, null, null, null, null),
                    AckImpl.NONE));
        }
    }

    /**
     * Gives way to a restored socket of the same id: its client lost this connection (the server has not noticed yet)
     * and came back on a new one. Closes this connection without touching the stored session.
     */
    void replaced() {
        replaced = true;
        client.disconnectAll();
    }

    /** Sends what was logged while the socket was being restored, then the packets held meanwhile (once each). */
    private void caughtUp(List<SessionStore.Logged> later, Set<String> sent) {
        for (SessionStore.Logged l : later) {
            if (sent.add(l.packet().identity())) {
                client.write(l.packet(), false);
            }
        }
        // the held packets go out in batches while later live ones keep being held, so that none overtakes them;
        // holding stops under the lock once nothing is left
        while (true) {
            List<Encoded> batch;
            synchronized (this) {
                batch = held;
                if (batch.isEmpty()) {
                    held = null;
                    alreadySent = sent;
                    break;
                }
                held = new ArrayList<>();
            }
            for (Encoded p : batch) {
                if (!sent.contains(p.identity())) {
                    client.write(p, false);
                }
            }
        }
        // live copies of logged packets arrive within a bus round trip; the filter is dropped well after
        namespace.server.vertx().setTimer(10_000, t -> alreadySent = null);
    }

    /** Leaves the namespace for a reason; at most once. */
    void onClose(String reason) {
        if (!connected) {
            return;
        }
        SessionStore store = namespace.server.sessionStore();
        if (store != null && pid != null && !replaced) {
            if (RECOVERABLE.contains(reason)) {
                store.disconnected(namespace.name(), session());
            } else {
                store.forget(namespace.name(), pid);
            }
        }
        connected = false;
        if (expiryTimer >= 0) {
            namespace.server.vertx().cancelTimer(expiryTimer);
        }
        List<HandlerMethod> disconnecting = namespace.handlers.disconnecting;
        if (!disconnecting.isEmpty()) {
            roomsWhenLeaving = namespace.adapter().socketRooms(id);
        }
        namespace.adapter().delAll(id);
        namespace.removed(this);
        client.removed(this);
        Map<Long, PendingAck> pendingAcks = acks;
        for (Long ackId : pendingAcks == null ? List.<Long>of() : new ArrayList<>(pendingAcks.keySet())) {
            PendingAck pending = pendingAcks.remove(ackId);
            if (pending != null && pending.timer >= 0) {
                namespace.server.vertx().cancelTimer(pending.timer);
            }
        }
        SocketObserver observer = namespace.server.observer();
        if (observer != null) {
            observer.disconnected(this, reason);
        }
        namespace.server.tracing().disconnected(trace, this, reason);
        HandlerMethod.Call leaving = new HandlerMethod.Call(this, null, reason, null, null, null, null);
        for (HandlerMethod m : disconnecting) {
            executor.submit(m.execution, () -> call(m, leaving, AckImpl.NONE));
        }
        if (!disconnecting.isEmpty()) {
            // in the socket's order: after the disconnecting handlers, before the disconnect ones
            executor.submit(HandlerDefinition.ExecutionModel.EVENT_LOOP, () -> roomsWhenLeaving = null);
        }
        for (HandlerMethod m : namespace.handlers.disconnect) {
            executor.submit(m.execution, () -> call(m, leaving, AckImpl.NONE));
        }
    }

    @Override
    public void disconnect(boolean close) {
        if (!connected) {
            return;
        }
        if (close) {
            client.disconnectAll();
        } else {
            client.write(namespace.server.json().encoder().disconnect(namespace.name()), false);
            onClose("server namespace disconnect");
        }
    }

    /** The client left this namespace with a DISCONNECT packet. */
    void onClientDisconnect() {
        onClose("client namespace disconnect");
    }

    /** The socket's connection changed transport. */
    void upgraded(String transport) {
        namespace.server.tracing().upgraded(trace, this, transport);
    }

    // ---- incoming

    /**
     * An event of the client, handled in the socket's order: after the tasks before it, the {@code @OnConnect}
     * handlers among them, so that what they set up (catch-all listeners, event middleware) sees an event the client
     * sent as soon as it was connected, as in Node, where the connection handler has run before any packet of the
     * socket is read. (Read when the packet arrived, the listeners and middleware were those of before the handlers:
     * an event sent at once passed a middleware meant to refuse it.)
     */
    void onEvent(Packet packet) {
        executor.submit(HandlerDefinition.ExecutionModel.EVENT_LOOP, () -> dispatch(packet));
    }

    private void dispatch(Packet packet) {
        ArrayNode payload = (ArrayNode) packet.data();
        String event = payload.get(0).asText();
        List<JsonNode> args = new ArrayList<>(payload.size() - 1);
        for (int i = 1; i < payload.size(); i++) {
            args.add(payload.get(i));
        }
        List<AnyListener> listeners = anyIncoming;
        if (listeners != null) {
            tell(listeners, event, args);
        }
        Ack ack = packet.hasId() ? new AckImpl(this, packet.id(), event) : AckImpl.NONE;
        HandlerMethod.Call call = new HandlerMethod.Call(this, ack, null, null, null, event, args);
        for (HandlerMethod m : namespace.handlers.anyEvent) {
            executor.submit(m.execution, () -> call(m, call, AckImpl.NONE));
        }
        List<PacketMiddleware> middleware = packetMiddleware;
        if (middleware == null) {
            handle(call, ack);
            return;
        }
        // the middleware of one event completes before the next event's starts, and handlers keep the events' order
        EventArgs eventArgs = new EventArgs(event, args);
        executor.submitAsync(() -> passMiddleware(middleware, eventArgs).onItemOrFailure().transform((v, failure) -> {
            if (failure == null) {
                handle(call, ack);
            } else {
                refused(event, failure);
            }
            return null;
        }));
    }

    /** Runs the event's handlers, in the socket's order. */
    private void handle(HandlerMethod.Call call, Ack ack) {
        List<HandlerMethod> methods = namespace.handlers.events(call.event());
        if (methods.isEmpty()) {
            LOG.debugf("no handler for event '%s' in %s", call.event(), namespace.name());
            return;
        }
        for (HandlerMethod m : methods) {
            if (m.access != null) {
                callIfAllowed(m, call, ack);
            } else {
                executor.submit(m.execution, () -> call(m, call, ack));
            }
        }
    }

    /**
     * Calls a handler whose event Quarkus Security guards: when the socket may not send it, the event is refused,
     * its acknowledgement (if asked for) answered with {@code {"error": "Unauthorized" | "Forbidden"}}, and the
     * socket stays.
     */
    private void callIfAllowed(HandlerMethod m, HandlerMethod.Call call, Ack ack) {
        SecurityIdentity who = identity;
        executor.submitAsync(() -> SocketSecurity.allows(m.access, who).onItemOrFailure().transform((ok, failure) -> {
            if (failure == null && Boolean.TRUE.equals(ok)) {
                executor.submit(m.execution, () -> call(m, call, ack));
            } else {
                String refusal = SocketSecurity.refusal(who);
                LOG.debugf("socket %s may not send '%s' to %s (%s): %s", id, call.event(), m, m.access, refusal);
                if (ack.requested()) {
                    ack.send(Map.of("error", refusal));
                }
            }
            return null;
        }));
    }

    private Uni<Void> passMiddleware(List<PacketMiddleware> middleware, EventArgs event) {
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (PacketMiddleware m : middleware) {
            chain = chain.chain(() -> {
                Uni<Void> next = m.apply(this, event);
                return next == null ? Uni.createFrom().voidItem() : next;
            });
        }
        return chain;
    }

    /** Middleware refused an event: the client gets an {@code error} event, the error handlers the failure. */
    private void refused(String event, Throwable failure) {
        LOG.debugf("middleware of socket %s refused event '%s': %s", id, event, failure.getMessage());
        String message = failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage();
        write(namespace.server.json().encoder().event(namespace.name(), -1, "error",
                new Object[] { Map.of("message", message) }), false, false);
        onError(failure);
    }

    /** Calls catch-all listeners; one that throws is reported and the others still run. */
    private void tell(List<AnyListener> listeners, String event, List<JsonNode> args) {
        List<JsonNode> view = Collections.unmodifiableList(args);
        for (AnyListener l : listeners) {
            try {
                l.onEvent(event, view);
            } catch (RuntimeException e) {
                onError(e);
            }
        }
    }

    /** Shows an event written to this client to the outgoing listeners. */
    private void tellOutgoing(List<AnyListener> listeners, Encoded packet) {
        Packet decoded;
        try {
            decoded = namespace.server.json().decode(packet);
        } catch (ProtocolException e) {
            // not something a client could send back: a CONNECT_ERROR, or an event under a reserved name
            LOG.debugf("outgoing packet not shown to the listeners: %s", e.getMessage());
            return;
        }
        if (decoded.kind() != PacketKind.EVENT) {
            return;
        }
        ArrayNode payload = (ArrayNode) decoded.data();
        List<JsonNode> args = new ArrayList<>(payload.size() - 1);
        for (int i = 1; i < payload.size(); i++) {
            args.add(payload.get(i));
        }
        tell(listeners, payload.get(0).asText(), args);
    }

    // ---- catch-all listeners and packet middleware

    private static <T> List<T> with(List<T> list, T item, boolean first) {
        List<T> next = new ArrayList<>(list == null ? List.of() : list);
        next.add(first ? 0 : next.size(), Objects.requireNonNull(item));
        return List.copyOf(next);
    }

    private static <T> List<T> without(List<T> list, T item) {
        if (list == null) {
            return null;
        }
        List<T> next = new ArrayList<>(list);
        next.remove(item);
        return next.isEmpty() ? null : List.copyOf(next);
    }

    @Override
    public synchronized SocketIoSocket onAny(AnyListener listener) {
        anyIncoming = with(anyIncoming, listener, false);
        return this;
    }

    @Override
    public synchronized SocketIoSocket prependAny(AnyListener listener) {
        anyIncoming = with(anyIncoming, listener, true);
        return this;
    }

    @Override
    public synchronized SocketIoSocket offAny(AnyListener listener) {
        anyIncoming = without(anyIncoming, listener);
        return this;
    }

    @Override
    public synchronized SocketIoSocket offAny() {
        anyIncoming = null;
        return this;
    }

    @Override
    public List<AnyListener> listenersAny() {
        List<AnyListener> l = anyIncoming;
        return l == null ? List.of() : l;
    }

    @Override
    public synchronized SocketIoSocket onAnyOutgoing(AnyListener listener) {
        anyOutgoing = with(anyOutgoing, listener, false);
        return this;
    }

    @Override
    public synchronized SocketIoSocket prependAnyOutgoing(AnyListener listener) {
        anyOutgoing = with(anyOutgoing, listener, true);
        return this;
    }

    @Override
    public synchronized SocketIoSocket offAnyOutgoing(AnyListener listener) {
        anyOutgoing = without(anyOutgoing, listener);
        return this;
    }

    @Override
    public synchronized SocketIoSocket offAnyOutgoing() {
        anyOutgoing = null;
        return this;
    }

    @Override
    public List<AnyListener> listenersAnyOutgoing() {
        List<AnyListener> l = anyOutgoing;
        return l == null ? List.of() : l;
    }

    @Override
    public synchronized SocketIoSocket use(PacketMiddleware middleware) {
        packetMiddleware = with(packetMiddleware, middleware, false);
        return this;
    }

    void onAck(Packet packet) {
        PendingAck pending = removeAck(packet.id());
        if (pending == null) {
            LOG.debugf("unexpected acknowledgement %d on socket %s", packet.id(), id);
            return;
        }
        if (pending.timer >= 0) {
            namespace.server.vertx().cancelTimer(pending.timer);
        }
        List<JsonNode> args = new ArrayList<>();
        packet.data().forEach(args::add);
        pending.callback.accept(args);
    }

    private void call(HandlerMethod m, HandlerMethod.Call call, Ack ack) {
        Tracing.Span span = handlerSpan(m, call);
        Object raw;
        try (Tracing.Scope scope = span.enter()) {
            try {
                raw = SocketSecurity.associating() ? invokeAs(m, call) : m.invoke(call);
            } catch (Checked e) {
                span.end(e.getCause());
                onError(e.getCause());
                return;
            } catch (ArgumentException e) {
                span.end(e);
                onError(e);
                return;
            } catch (Throwable t) {
                span.end(t);
                onError(t);
                return;
            }
            if (m.returns == HandlerDefinition.Returns.VOID) {
                // a void handler without an Ack parameter is done when it returns: that is its acknowledgement
                if (ack.requested() && !m.takesAck()) {
                    ack.send();
                }
                span.end(null);
                return;
            }
        }
        m.result(raw).subscribe().with(value -> {
            // the acknowledgement is a child of the handler's span, also when its result came later on another thread
            try (Tracing.Scope scope = span.enter()) {
                if (ack.requested()) {
                    if (value == null) {
                        ack.send();
                    } else {
                        ack.send(value);
                    }
                }
            }
            span.end(null);
        }, failure -> {
            span.end(failure);
            onError(failure);
        });
    }

    /** The span of a handler call: an event's, or one of the socket's life (connection, disconnecting, disconnect). */
    private Tracing.Span handlerSpan(HandlerMethod m, HandlerMethod.Call call) {
        Tracing tracing = namespace.server.tracing();
        return switch (m.kind) {
            case EVENT, ANY_EVENT -> tracing.handling(trace, this, call.event(), false);
            case CONNECT -> tracing.handling(trace, this, "connection", true);
            case DISCONNECTING -> tracing.handling(trace, this, "disconnecting", true);
            case DISCONNECT -> tracing.handling(trace, this, "disconnect", true);
            default -> Tracing.Span.NONE;
        };
    }

    /** Invokes a handler with this socket's identity current (see {@link SocketSecurity#withIdentity}). */
    private Object invokeAs(HandlerMethod m, HandlerMethod.Call call) {
        return SocketSecurity.withIdentity(identity, () -> {
            try {
                return m.invoke(call);
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new Checked(e);
            }
        });
    }

    /** A checked exception of a handler, carried through {@link SocketSecurity#withIdentity}. */
    private static final class Checked extends RuntimeException {
        Checked(Exception cause) {
            super(cause);
        }
    }

    /** A handler failed: the namespace's error handlers for that type are called, or it is logged. */
    void onError(Throwable failure) {
        List<HandlerMethod> matching = new ArrayList<>();
        for (HandlerMethod m : namespace.handlers.error) {
            if (m.accepts(failure)) {
                matching.add(m);
            }
        }
        if (matching.isEmpty()) {
            if (failure instanceof ArgumentException) {
                LOG.debugf("socket %s sent arguments its handler cannot take: %s", id, failure.getMessage());
            } else {
                namespace.server.failures().report(failure, "in namespace " + namespace.name() + " (socket " + id + ")");
            }
            return;
        }
        for (HandlerMethod m : matching) {
            executor.submit(m.execution, () -> {
                try {
                    m.result(m.invoke(new HandlerMethod.Call(this, null, null, failure, null, null, null))).subscribe()
                            .with(v -> {
                            }, f -> LOG.errorf(f, "Socket.IO error handler %s failed", m));
                } catch (Throwable t) {
                    LOG.errorf(t, "Socket.IO error handler %s failed", m);
                }
            });
        }
    }

    // ---- outgoing

    /** Writes an encoded packet to this socket's client. */
    @Override
    public void write(Encoded packet, boolean dropIfBusy) {
        write(packet, dropIfBusy, true);
    }

    /**
     * Writes an encoded packet to this socket's client; one that {@code mayDrop} is missed by a slow client under the
     * namespace's {@code drop-oldest} policy (an event; not an acknowledgement or an error).
     */
    private void write(Encoded packet, boolean dropIfBusy, boolean mayDrop) {
        if (connected) {
            List<AnyListener> listeners = anyOutgoing;
            if (listeners != null) {
                tellOutgoing(listeners, packet);
            }
            synchronized (this) {
                if (held != null) {
                    held.add(packet);
                    return;
                }
            }
            Set<String> sent = alreadySent;
            if (sent != null && sent.contains(packet.identity())) {
                return;
            }
            client.write(packet, dropIfBusy, mayDrop ? namespace : null);
        }
    }

    /**
     * Adds this socket's connection to a broadcast's fan-out, under the same rules as {@link #write}; whether it was
     * (or the packet was kept for it).
     */
    boolean deliverTo(Encoded packet, Fanout fanout) {
        if (!connected) {
            return false;
        }
        List<AnyListener> listeners = anyOutgoing;
        if (listeners != null) {
            tellOutgoing(listeners, packet);
        }
        if (held != null) {
            synchronized (this) {
                if (held != null) {
                    held.add(packet);
                    return false;
                }
            }
        }
        Set<String> sent = alreadySent;
        if (sent != null && sent.contains(packet.identity())) {
            return false;
        }
        fanout.add(client.conn);
        return true;
    }

    @Override
    public Object home() {
        return client.conn.home();
    }

    /**
     * Its client caught up after missing {@code count} events of this namespace ({@code drop-oldest}): it gets the
     * configured event with the count, which it cannot miss.
     */
    void dropped(int count) {
        String event = namespace.server.slowConsumerPolicies.droppedEvent();
        write(namespace.server.json().encoder().event(namespace.name(), -1, event, new Object[] { count }), false, false);
    }

    void sendAck(long ackId, String event, Object[] args) {
        Tracing.Span span = namespace.server.tracing().sending(Tracing.Send.ACK, namespace.name(), event, id, Set.of(),
                Set.of());
        try (Tracing.Scope scope = span.enter()) {
            write(namespace.server.json().encoder().ack(namespace.name(), ackId, args), false, false);
        } catch (RuntimeException e) {
            span.end(e);
            throw e;
        }
        span.end(null);
    }

    /** Registers the callback of an acknowledgement this socket will send (broadcasts with acks). */
    @Override
    public void expectAck(long ackId, Consumer<List<JsonNode>> callback) {
        acks().put(ackId, new PendingAck(callback, -1));
    }

    @Override
    public void emit(String event, Object... args) {
        Tracing.Span span = emitSpan(event);
        try (Tracing.Scope scope = span.enter()) {
            if (pid != null && namespace.server.sessionStore() != null) {
                // recovery is on: logged, so that the client gets it when it reconnects if it missed it, even when this
                // socket is already disconnected (as Node's socket.emit with recovery on)
                namespace.emitLogged(id, event, args);
            } else {
                write(namespace.server.json().encoder().event(namespace.name(), -1, event, args), false);
            }
        } catch (RuntimeException e) {
            span.end(e);
            throw e;
        }
        span.end(null);
    }

    private Tracing.Span emitSpan(String event) {
        return namespace.server.tracing().sending(Tracing.Send.EMIT, namespace.name(), event, id, Set.of(), Set.of());
    }

    @Override
    public Uni<JsonNode> emitWithAck(String event, Object... args) {
        return emitWithAck(namespace.server.ackTimeout(), event, args, true);
    }

    @Override
    public <T> Uni<T> emitWithAck(Class<T> type, String event, Object... args) {
        return emitWithAck(event, args).map(v -> namespace.server.ackValue(v, type));
    }

    private Uni<JsonNode> emitWithAck(Duration timeout, String event, Object[] args, boolean compress) {
        CompletableFuture<JsonNode> result = new CompletableFuture<>();
        long ackId = namespace.nextAckId();
        Vertx vertx = namespace.server.vertx();
        long timer = vertx.setTimer(timeout.toMillis(), t -> {
            if (removeAck(ackId) != null) {
                namespace.server.stats().increment(ServerFigure.ACK_TIMEOUTS);
                result.completeExceptionally(new AckTimeoutException("operation has timed out", 0, 1));
            }
        });
        acks().put(ackId, new PendingAck(a -> result.complete(a.isEmpty() ? NullNode.getInstance() : a.get(0)), timer));
        Encoded packet = namespace.server.json().encoder().event(namespace.name(), ackId, event, args);
        Tracing.Span span = emitSpan(event);
        try (Tracing.Scope scope = span.enter()) {
            write(compress ? packet : packet.uncompressed(), false);
        } catch (RuntimeException e) {
            span.end(e);
            throw e;
        }
        span.end(null);
        if (!connected && removeAck(ackId) != null) {
            vertx.cancelTimer(timer);
            result.completeExceptionally(new IllegalStateException("socket " + id + " is disconnected"));
        }
        return Uni.createFrom().completionStage(result);
    }

    @Override
    public Emitter compress(boolean compress) {
        return new Emission(namespace.server.ackTimeout(), compress);
    }

    @Override
    public Emitter timeout(Duration timeout) {
        return new Emission(timeout, true);
    }

    /** Emitting to this socket with an acknowledgement timeout, with or without compression. */
    private final class Emission implements Emitter {
        private final Duration timeout;
        private final boolean compress;

        Emission(Duration timeout, boolean compress) {
            this.timeout = timeout;
            this.compress = compress;
        }

        @Override
        public void emit(String event, Object... args) {
            if (compress) {
                SocketImpl.this.emit(event, args);
                return;
            }
            Tracing.Span span = emitSpan(event);
            try (Tracing.Scope scope = span.enter()) {
                write(namespace.server.json().encoder().event(namespace.name(), -1, event, args).uncompressed(), false);
            } catch (RuntimeException e) {
                span.end(e);
                throw e;
            }
            span.end(null);
        }

        @Override
        public Uni<JsonNode> emitWithAck(String event, Object... args) {
            return SocketImpl.this.emitWithAck(timeout, event, args, compress);
        }

        @Override
        public <T> Uni<T> emitWithAck(Class<T> type, String event, Object... args) {
            return emitWithAck(event, args).map(v -> namespace.server.ackValue(v, type));
        }
    }

    // ---- rooms

    @Override
    public void join(String... rooms) {
        Set<String> names = Rooms.named("join", rooms);
        if (connected) {
            namespace.adapter().addAll(id, names);
            saveSession();
        }
    }

    @Override
    public void leave(String room) {
        Rooms.named("leave", room);
        namespace.adapter().del(id, room);
        saveSession();
    }

    @Override
    public BroadcastOperator broadcast() {
        return new Operator(namespace, new BroadcastOptions(Set.of(), Set.of(id), false, false), null);
    }

    @Override
    public BroadcastOperator to(String... rooms) {
        return broadcast().to(rooms);
    }

    @Override
    public BroadcastOperator except(String... rooms) {
        return broadcast().except(rooms);
    }

    @Override
    public String toString() {
        return "Socket[" + id + " " + namespace.name() + "]";
    }
}
