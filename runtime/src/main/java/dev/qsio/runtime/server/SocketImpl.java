package dev.qsio.runtime.server;

import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;

import dev.qsio.Ack;
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
import dev.qsio.runtime.security.IdentitySnapshot;
import dev.qsio.runtime.spans.Tracing;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;

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
    /** The acknowledgements awaited from the client (see {@link SocketAcks}). */
    volatile Map<Long, SocketAcks.Pending> acks;
    /** The trace of this socket's connection, as {@link Tracing#connected} gave it (null without tracing). */
    volatile Object trace;
    final SerialExecutor executor;
    volatile boolean connected;
    /** Why the socket left; written before {@link #connected} is cleared. */
    volatile String leftFor;
    /** The private id of connection state recovery, or null when recovery is off. */
    final String pid;
    private final boolean recovered;
    /** The last offset the client saw, for a recovered socket. */
    private final String clientOffset;
    /** Set when the client came back on another connection and this socket gives way to the restored one. */
    volatile boolean replaced;
    /**
     * While a restored socket catches up and for 10 s after: what holds or drops the packets written to it; null
     * otherwise, the one field a write reads for recovery.
     */
    volatile RecoveryCatchUp catchUp;
    /** Catch-all listeners and packet middleware, null until the first is added. */
    volatile SocketListeners listeners;
    /** Who the socket is (see {@link SocketSecurity}); set before the middleware runs. */
    volatile SecurityIdentity identity = SocketSecurity.ANONYMOUS;
    /** The timer that ends the connection when the identity's credential expires, or -1. */
    long expiryTimer = -1;
    /** While the {@code @OnDisconnecting} handlers run: the rooms the socket was in, which it has left. */
    volatile Set<String> roomsWhenLeaving;

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

    @Override
    public Set<String> rooms() {
        Set<String> leaving = roomsWhenLeaving;
        if (leaving != null) {
            return leaving;
        }
        if (!connected && leftFor == null) {
            // in its middleware: the rooms it joined so far
            synchronized (this) {
                return joinedBeforeConnect == null ? Set.of() : Set.copyOf(joinedBeforeConnect);
            }
        }
        return namespace.adapter().socketRooms(id);
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
        // before the socket joins any room, its own included (see RecoveryCatchUp)
        RecoveryCatchUp recovery = restored == null ? null : new RecoveryCatchUp(this);
        if (recovery != null) {
            catchUp = recovery;
        }
        connected = true;
        trace = namespace.server.tracing().connected(this);
        watchExpiry();
        namespace.added(this);
        client.added(this);
        namespace.adapter().addAll(id, Set.of(id));
        Set<String> early;
        synchronized (this) {
            early = joinedBeforeConnect;
            joinedBeforeConnect = null;
        }
        if (early != null && !early.isEmpty()) {
            namespace.adapter().addAll(id, early);
        }
        if (restored != null) {
            // the middleware, when it ran on recovery, saw the restored data already and may have changed it
            restored.session().data().forEach(data()::putIfAbsent);
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
            if (recovery != null) {
                recovery.replay(restored, clientOffset);
            }
            client.connected(this);
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

    /** Leaves the namespace for a reason; at most once (see {@link SocketDisconnection}). */
    void onClose(String reason) {
        SocketDisconnection.leave(this, reason);
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
        executor.submit(HandlerDefinition.ExecutionModel.EVENT_LOOP, () -> SocketEvents.dispatch(this, packet));
    }

    // ---- catch-all listeners and packet middleware

    /** Shows a packet written to this client to its outgoing listeners, if it has any. */
    private void tellOutgoing(Encoded packet) {
        SocketListeners l = listeners;
        List<AnyListener> outgoing = l == null ? null : l.outgoing;
        if (outgoing != null) {
            SocketListeners.tellOutgoing(outgoing, packet, namespace.server.json(), this::onError);
        }
    }

    /** The socket's listeners, made on first use; under the monitor. */
    private SocketListeners listenersToChange() {
        SocketListeners l = listeners;
        if (l == null) {
            l = new SocketListeners();
            listeners = l;
        }
        return l;
    }

    @Override
    public synchronized SocketIoSocket onAny(AnyListener listener) {
        SocketListeners l = listenersToChange();
        l.incoming = SocketListeners.with(l.incoming, listener, false);
        return this;
    }

    @Override
    public synchronized SocketIoSocket prependAny(AnyListener listener) {
        SocketListeners l = listenersToChange();
        l.incoming = SocketListeners.with(l.incoming, listener, true);
        return this;
    }

    @Override
    public synchronized SocketIoSocket offAny(AnyListener listener) {
        SocketListeners l = listenersToChange();
        l.incoming = SocketListeners.without(l.incoming, listener);
        return this;
    }

    @Override
    public synchronized SocketIoSocket offAny() {
        listenersToChange().incoming = null;
        return this;
    }

    @Override
    public List<AnyListener> listenersAny() {
        SocketListeners l = listeners;
        return SocketListeners.orEmpty(l == null ? null : l.incoming);
    }

    @Override
    public synchronized SocketIoSocket onAnyOutgoing(AnyListener listener) {
        SocketListeners l = listenersToChange();
        l.outgoing = SocketListeners.with(l.outgoing, listener, false);
        return this;
    }

    @Override
    public synchronized SocketIoSocket prependAnyOutgoing(AnyListener listener) {
        SocketListeners l = listenersToChange();
        l.outgoing = SocketListeners.with(l.outgoing, listener, true);
        return this;
    }

    @Override
    public synchronized SocketIoSocket offAnyOutgoing(AnyListener listener) {
        SocketListeners l = listenersToChange();
        l.outgoing = SocketListeners.without(l.outgoing, listener);
        return this;
    }

    @Override
    public synchronized SocketIoSocket offAnyOutgoing() {
        listenersToChange().outgoing = null;
        return this;
    }

    @Override
    public List<AnyListener> listenersAnyOutgoing() {
        SocketListeners l = listeners;
        return SocketListeners.orEmpty(l == null ? null : l.outgoing);
    }

    @Override
    public synchronized SocketIoSocket use(PacketMiddleware middleware) {
        SocketListeners l = listenersToChange();
        l.middleware = SocketListeners.with(l.middleware, middleware, false);
        return this;
    }

    /** An acknowledgement of the client (see {@link SocketAcks#answered}). */
    void onAck(Packet packet) {
        SocketAcks.answered(this, packet);
    }

    /** Calls a handler of this socket (see {@link SocketEvents#call}). */
    void call(HandlerMethod m, HandlerMethod.Call call, Ack ack) {
        SocketEvents.call(this, m, call, ack);
    }

    /** A handler failed: the namespace's error handlers for that type are called, or it is logged. */
    void onError(Throwable failure) {
        SocketEvents.failed(this, failure);
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
    void write(Encoded packet, boolean dropIfBusy, boolean mayDrop) {
        if (connected) {
            tellOutgoing(packet);
            RecoveryCatchUp recovery = catchUp;
            if (recovery != null && !recovery.passes(packet)) {
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
        tellOutgoing(packet);
        RecoveryCatchUp recovery = catchUp;
        if (recovery != null && !recovery.passes(packet)) {
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

    /** Registers the callback of an acknowledgement this socket will send (broadcasts with acks). */
    @Override
    public void expectAck(long ackId, Consumer<List<JsonNode>> callback) {
        SocketAcks.expect(this, ackId, callback);
    }

    @Override
    public void forgetAck(long ackId) {
        SocketAcks.forget(this, ackId);
    }

    @Override
    public void emit(String event, Object... args) {
        SocketEmission.emit(this, event, args);
    }

    @Override
    public Uni<JsonNode> emitWithAck(String event, Object... args) {
        return emitWithAckArgs(event, args).map(SocketIoServerImpl::firstOf);
    }

    @Override
    public <T> Uni<T> emitWithAck(Class<T> type, String event, Object... args) {
        return emitWithAck(event, args).map(v -> namespace.server.ackValue(v, type));
    }

    @Override
    public Uni<EventArgs> emitWithAckArgs(String event, Object... args) {
        return emitWithAckArgs(namespace.server.ackTimeout(), event, args, true);
    }

    /**
     * Emits an event asking for an acknowledgement; fails after {@code timeout}, or when the socket leaves first (see
     * {@link SocketAcks#emit}).
     */
    Uni<EventArgs> emitWithAckArgs(Duration timeout, String event, Object[] args, boolean compress) {
        return SocketAcks.emit(this, timeout, event, args, compress);
    }

    /** Why the socket left, for an acknowledgement asked of it after it did. */
    String leftFor() {
        String reason = leftFor;
        return reason == null ? "not connected" : reason;
    }

    @Override
    public Emitter compress(boolean compress) {
        return new SocketEmission(this, namespace.server.ackTimeout(), compress, false);
    }

    @Override
    public Emitter timeout(Duration timeout) {
        return new SocketEmission(this, SocketAcks.timeout(timeout), true, false);
    }

    @Override
    public Emitter volatile_() {
        return new SocketEmission(this, namespace.server.ackTimeout(), true, true);
    }

    // ---- rooms

    @Override
    public void join(String... rooms) {
        Set<String> names = Rooms.named("join", rooms);
        if (connected) {
            namespace.adapter().addAll(id, names);
            saveSession();
        } else if (leftFor == null) {
            // its middleware may join rooms (as Node's): they are joined as the socket connects, and never if it is
            // refused
            synchronized (this) {
                if (joinedBeforeConnect == null) {
                    joinedBeforeConnect = new LinkedHashSet<>();
                }
                joinedBeforeConnect.addAll(names);
            }
        }
    }

    /** The rooms the socket's middleware joined before it connected; null when none. */
    private Set<String> joinedBeforeConnect;

    @Override
    public void leave(String room) {
        Rooms.named("leave", room);
        if (!connected) {
            synchronized (this) {
                if (joinedBeforeConnect != null) {
                    joinedBeforeConnect.remove(room);
                }
            }
            return;
        }
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
