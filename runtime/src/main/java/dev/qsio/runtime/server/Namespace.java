package dev.qsio.runtime.server;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.qsio.AckTimeoutException;
import dev.qsio.BroadcastOperator;
import dev.qsio.ConnectionRefusedException;
import dev.qsio.EventArgs;
import dev.qsio.Handshake;
import dev.qsio.RoomEvent;
import dev.qsio.SocketIoNamespace;
import dev.qsio.SocketIoSocket;
import dev.qsio.SocketMiddleware;
import dev.qsio.runtime.adapter.Adapter;
import dev.qsio.runtime.adapter.AdapterSocket;
import dev.qsio.runtime.adapter.Broadcast;
import dev.qsio.runtime.adapter.BroadcastOptions;
import dev.qsio.runtime.adapter.LocalSockets;
import dev.qsio.runtime.adapter.Partitions;
import dev.qsio.runtime.adapter.SessionStore;
import dev.qsio.runtime.engine.EnginePacket;
import dev.qsio.runtime.engine.Fanout;
import dev.qsio.runtime.protocol.Encoded;
import dev.qsio.runtime.spans.Tracing;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * A namespace: its sockets, middleware, handlers and adapter.
 */
public final class Namespace implements SocketIoNamespace, ForwardingOperator, LocalSockets {

    private static final Logger LOG = Logger.getLogger(Namespace.class);

    private final String name;
    final SocketIoServerImpl server;
    final NamespaceHandlers handlers;
    private final Adapter adapter;
    private final Map<String, SocketImpl> sockets = new ConcurrentHashMap<>();
    private final List<SocketMiddleware> middlewares = new CopyOnWriteArrayList<>();
    /** Acknowledgement ids are per namespace, so that a broadcast's id never collides with a socket's own. */
    private final AtomicLong ackIds = new AtomicLong();
    private final BroadcastOperator all;
    private final boolean dynamic;
    /**
     * What this namespace's events are marked with for the engine to drop the oldest for a slow client (its name,
     * under the {@code drop-oldest} policy); null when a slow client misses none ({@link SlowConsumerPolicies}).
     */
    final String dropGroup;

    Namespace(String name, SocketIoServerImpl server, NamespaceHandlers handlers, boolean dynamic) {
        this.dynamic = dynamic;
        this.name = name;
        this.server = server;
        this.handlers = handlers;
        SlowConsumerPolicies policies = server.slowConsumerPolicies;
        this.dropGroup = policies == null ? null : policies.dropGroup(name);
        this.all = new Operator(this, BroadcastOptions.ALL, null);
        this.adapter = server.adapters().create(this);
    }

    @Override
    public String name() {
        return name;
    }

    Adapter adapter() {
        return adapter;
    }

    @Override
    public Consumer<RoomEvent> roomEvents() {
        return server.roomEvents();
    }

    @Override
    public long nextAckId() {
        return ackIds.getAndIncrement();
    }

    @Override
    public void later(long delayMs, Runnable task) {
        server.vertx().setTimer(delayMs, t -> task.run());
    }

    @Override
    public Collection<SocketImpl> sockets() {
        return sockets.values();
    }

    @Override
    public SocketImpl socket(String id) {
        return sockets.get(id);
    }

    @Override
    public Delivery delivery(Encoded packet, boolean dropIfBusy, int expected) {
        if (!packet.single()) {
            // a packet with attachments is several messages that must stay together: each socket its own write
            return LocalSockets.super.delivery(packet, dropIfBusy, expected);
        }
        Fanout fanout = new Fanout(droppable(packet), dropIfBusy, expected);
        return new Delivery() {
            private long count;

            @Override
            public void add(AdapterSocket socket) {
                // the adapter hands back the sockets of this namespace
                if (((SocketImpl) socket).deliverTo(packet, fanout)) {
                    count++;
                }
            }

            @Override
            public void finish() {
                fanout.finish();
                server.stats().packetsOut.add(count);
            }
        };
    }

    /**
     * The message of a single-message packet of this namespace, as a slow client may miss it if the namespace's policy
     * says so ({@link #dropGroup}) and the packet waits for no acknowledgement.
     */
    EnginePacket droppable(Encoded packet) {
        EnginePacket message = packet.messages().get(0);
        return dropGroup == null || packet.ackId() >= 0 ? message : message.droppable(dropGroup);
    }

    /**
     * Each group of the room on its own loop ({@link Fanout#runAt}): that loop checks its members' rules and writes to
     * them at once, all reading the packet encoded once here.
     */
    @Override
    public void deliver(Encoded packet, boolean dropIfBusy, Set<String> except, Partitions partitions) {
        if (!packet.single()) {
            LocalSockets.super.deliver(packet, dropIfBusy, except, partitions);
            return;
        }
        Fanout.Shared shared = Fanout.share(droppable(packet));
        for (int i = 0; i < partitions.size(); i++) {
            AdapterSocket[] members = partitions.members(i);
            Fanout.runAt(partitions.home(i), () -> deliver(packet, shared, dropIfBusy, except, members, partitions));
        }
    }

    private void deliver(Encoded packet, Fanout.Shared shared, boolean dropIfBusy, Set<String> except,
            AdapterSocket[] members, Partitions partitions) {
        Fanout fanout = new Fanout(shared, dropIfBusy, members.length);
        long count = 0;
        try {
            for (AdapterSocket socket : members) {
                if (except.isEmpty() || !except.contains(socket.id())) {
                    // the adapter hands back the sockets of this namespace
                    if (((SocketImpl) socket).deliverTo(packet, fanout)) {
                        count++;
                    }
                }
            }
        } finally {
            fanout.finish();
            server.stats().packetsOut.add(count);
        }
        if (fanout.elsewhere() > 0) {
            partitions.misplaced();
        }
    }

    @Override
    public BroadcastOperator select(String socketId) {
        return to(socketId);
    }

    @Override
    public Collection<SocketIoSocket> localSockets() {
        return Collections.unmodifiableCollection(sockets.values());
    }

    @Override
    public SocketIoNamespace use(SocketMiddleware middleware) {
        middlewares.add(middleware);
        return this;
    }

    @Override
    public BroadcastOperator operator() {
        return all;
    }

    void close() {
        adapter.close();
    }

    // ---- connection

    /**
     * A client asked to connect: who it is (the handshake's identity, or one from a token in its auth), whether the
     * namespace's Quarkus Security rule lets it in, then its middleware; it is admitted or refused.
     */
    void add(Client client, JsonNode auth) {
        SecurityIdentity handshake = client.conn.request().identity();
        String field = server.authTokenField();
        JsonNode token = field == null || auth == null ? null : auth.get(field);
        if (token == null || !token.isTextual()) {
            checkAccess(client, auth, handshake == null ? SocketSecurity.ANONYMOUS : handshake);
            return;
        }
        SocketSecurity.authenticate(token.asText()).subscribe().with(
                identity -> client.context.runOnContext(v -> checkAccess(client, auth, identity)),
                failure -> client.context.runOnContext(v -> {
                    // the token itself is never logged
                    LOG.debugf("a token in the auth of a CONNECT to %s was refused: %s", name,
                            failure.getClass().getSimpleName());
                    refuse(client, SocketSecurity.UNAUTHORIZED, null);
                }));
    }

    private void checkAccess(Client client, JsonNode auth, SecurityIdentity identity) {
        if (SocketSecurity.expired(identity)) {
            // identity providers accept a token a little past its exp (clock skew): a socket admitted with it would be
            // closed at once, and its client would come back with it again and again
            LOG.debugf("an expired credential was refused at a CONNECT to %s", name);
            refuse(client, SocketSecurity.UNAUTHORIZED, null);
            return;
        }
        Access access = handlers.access;
        if (access == null) {
            admitWithinCap(client, auth, identity);
            return;
        }
        // a permission check may complete on another thread: the outcome is handled on the connection's context
        SocketSecurity.allows(access, identity).subscribe().with(ok -> onContext(client, () -> {
            if (Boolean.TRUE.equals(ok)) {
                admitWithinCap(client, auth, identity);
            } else {
                LOG.debugf("%s refused to connect to %s (%s)", identity.isAnonymous() ? "anonymous" : "an identity",
                        name, access);
                refuse(client, SocketSecurity.refusal(identity), null);
            }
        }), failure -> onContext(client, () -> refuse(client, SocketSecurity.refusal(identity), null)));
    }

    private static void onContext(Client client, Runnable action) {
        if (Vertx.currentContext() == client.context) {
            action.run();
        } else {
            client.context.runOnContext(v -> action.run());
        }
    }

    /**
     * The cap of connections per identity ({@link IdentityCaps}): a connection over it is refused; the rest of the
     * CONNECT otherwise.
     */
    private void admitWithinCap(Client client, JsonNode auth, SecurityIdentity identity) {
        IdentityCaps caps = server.identityCaps;
        if (caps == null || !caps.applies(identity)) {
            admit(client, auth, identity);
            return;
        }
        caps.take(client, identity).onComplete(ar -> onContext(client, () -> {
            if (Boolean.TRUE.equals(ar.result())) {
                admit(client, auth, identity);
            } else {
                LOG.debugf("a connection of an identity at its sessions-per-identity (%d) was refused %s", caps.max(),
                        name);
                refuse(client, IdentityCaps.REFUSAL, Map.of("limit", caps.max()));
            }
        }));
    }

    /** The rest of a CONNECT once the socket's identity is let in: recovery, middleware, then connection. */
    private void admit(Client client, JsonNode auth, SecurityIdentity identity) {
        SessionStore store = server.sessionStore();
        JsonNode pid = auth == null ? null : auth.get("pid");
        JsonNode offset = auth == null ? null : auth.get("offset");
        if (store != null && pid != null && pid.isTextual() && offset != null && offset.isTextual()) {
            // the client's own auth, without what the client library added for recovery
            ObjectNode own = auth.deepCopy();
            own.remove(List.of("pid", "offset"));
            store.restore(name, pid.asText(), offset.asText()).subscribe().with(restored -> client.context.runOnContext(v -> {
                if (restored == null) {
                    runMiddleware(new SocketImpl(this, client, new Handshake(client.conn.request(), own)).identity(identity), 0, null);
                    return;
                }
                String sid = restored.session().sid();
                SocketImpl stale = socket(sid);
                if (stale != null) {
                    stale.replaced();
                } else {
                    // the old connection may still be open on another server that has not noticed it is gone
                    adapter.disconnectSockets(BroadcastOptions.socket(sid), true);
                }
                SocketImpl socket = new SocketImpl(this, client, new Handshake(client.conn.request(), own), sid,
                        restored.session().pid(), offset.asText()).identity(identity);
                if (server.recoverySkipsMiddlewares()) {
                    if (client.isOpen()) {
                        socket.onConnect(restored);
                    } else {
                        keep(restored);
                    }
                } else {
                    // as Node's restored socket: the middleware sees the session's data
                    socket.data().putAll(restored.session().data());
                    runMiddleware(socket, 0, restored);
                }
            }), failure -> client.context.runOnContext(v -> {
                LOG.debugf("session recovery of %s failed: %s", pid.asText(), failure.getMessage());
                runMiddleware(new SocketImpl(this, client, new Handshake(client.conn.request(), own)).identity(identity), 0, null);
            }));
            return;
        }
        runMiddleware(new SocketImpl(this, client, new Handshake(client.conn.request(), auth)).identity(identity), 0, null);
    }

    private void runMiddleware(SocketImpl socket, int index, SessionStore.Restored restored) {
        List<HandlerMethod> annotated = handlers.middleware;
        if (index < annotated.size()) {
            HandlerMethod m = annotated.get(index);
            socket.executor.submit(m.execution, () -> {
                Uni<Object> result;
                try {
                    result = m.result(m.invoke(new HandlerMethod.Call(socket, null, null, null, null, null, null)));
                } catch (Throwable t) {
                    refuse(socket, t);
                    return;
                }
                result.subscribe().with(ok -> onLoop(socket, () -> runMiddleware(socket, index + 1, restored)),
                        failure -> onLoop(socket, () -> refuse(socket, failure)));
            });
            return;
        }
        int programmatic = index - annotated.size();
        if (programmatic < middlewares.size()) {
            Uni<Void> result;
            try {
                result = middlewares.get(programmatic).apply(socket);
            } catch (Throwable t) {
                refuse(socket, t);
                return;
            }
            if (result == null) {
                result = Uni.createFrom().voidItem();
            }
            result.subscribe().with(ok -> onLoop(socket, () -> runMiddleware(socket, index + 1, restored)),
                    failure -> onLoop(socket, () -> refuse(socket, failure)));
            return;
        }
        if (!socket.client.isOpen()) {
            keep(restored);
            return;
        }
        socket.onConnect(restored);
    }

    /**
     * A restored session whose connection closed before its socket connected (during the restore's round trip to the
     * store, or the middleware): stored again as it was, as at any disconnection it may recover from (the restore took
     * it from the store), so that the client's next reconnection, which brings the same private id and offset,
     * recovers it with what it missed. Unless another server claimed it meanwhile: the client is there already.
     */
    private void keep(SessionStore.Restored restored) {
        admissionEnded();
        if (restored != null) {
            LOG.debugf("session %s restored for a connection that closed before its socket connected: kept",
                    restored.session().pid());
            server.sessionStore().disconnected(name, restored.session());
        }
    }

    /**
     * Runs what follows a middleware on the connection's event loop: its {@code Uni} may complete on any thread (a
     * worker, a virtual thread, the Admin UI's password checks), and a socket that connected there was seen by the
     * event loop's own work (an upgrade of its connection, a broadcast to its rooms) half made: the Admin UI's upgrade
     * observer then replaced the login's session before the connect observer could send it.
     */
    private static void onLoop(SocketImpl socket, Runnable next) {
        if (Context.isOnEventLoopThread() && Vertx.currentContext() == socket.client.context) {
            next.run();
        } else {
            socket.client.context.runOnContext(v -> next.run());
        }
    }

    /**
     * The CONNECTs being admitted (identity, access rule, middleware): a dynamic namespace is not forgotten while one
     * is, and is forgotten when the last one is refused and no socket is left, as Node's child namespace is.
     */
    private final AtomicInteger admitting = new AtomicInteger();

    int admitting() {
        return admitting.get();
    }

    /** A CONNECT to this namespace is being admitted (counted by {@link SocketIoServerImpl#namespaceFor}); this. */
    Namespace admissionStarted() {
        admitting.incrementAndGet();
        return this;
    }

    /** An admission ended without a socket (refused, or its connection closed meanwhile). */
    private void admissionEnded() {
        admissionOver();
        server.forgetIfEmptyDynamic(this);
    }

    private void refuse(Client client, String message, Object data) {
        client.refuse(name, message, data);
        admissionEnded();
    }

    private void refuse(SocketImpl socket, Throwable failure) {
        String message;
        Object data = null;
        if (failure instanceof ConnectionRefusedException refused) {
            message = refused.getMessage();
            data = refused.data();
        } else {
            message = failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage();
            LOG.debugf(failure, "middleware of %s failed", name);
        }
        refuse(socket.client, message, data);
    }

    void added(SocketImpl socket) {
        sockets.put(socket.id(), socket);
        admissionOver();
    }

    private void admissionOver() {
        admitting.updateAndGet(n -> Math.max(0, n - 1));
    }

    void removed(SocketImpl socket) {
        sockets.remove(socket.id(), socket);
        server.forgetIfEmptyDynamic(this);
    }

    /** Whether this namespace was created for a name a pattern or matcher accepted. */
    boolean dynamic() {
        return dynamic;
    }

    // ---- broadcasting

    /** The broadcast of an event; with connection state recovery, logged with an offset as its last argument. */
    private Broadcast broadcastOf(String event, Object[] args, BroadcastOptions options, boolean logged, boolean direct) {
        SessionStore store = server.sessionStore();
        if (logged && store != null && !options.local() && SessionStore.logged(options)) {
            // clients remember the last argument of what they receive as their offset
            String offset = store.nextOffset();
            Object[] withOffset = Arrays.copyOf(args, args.length + 1);
            withOffset[args.length] = offset;
            Encoded packet = server.json().encoder().event(name, -1, event, withOffset);
            store.append(name, offset, packet, options);
            return new Broadcast(name, event, withOffset, packet, options, true, direct);
        }
        return new Broadcast(name, event, args, server.json().encoder().event(name, -1, event, args), options, false,
                direct);
    }

    void broadcast(String event, Object[] args, BroadcastOptions options) {
        Tracing.Span span = broadcastSpan(event, options);
        try (Tracing.Scope scope = span.enter()) {
            adapter.broadcast(broadcastOf(event, args, options, true, false));
            server.broadcastHooks().deliverLocal(this, event, args, options, false);
        } catch (RuntimeException e) {
            span.end(e);
            throw e;
        }
        span.end(null);
    }

    /** One span per broadcast, whatever the number of servers and sockets it reaches. */
    private Tracing.Span broadcastSpan(String event, BroadcastOptions options) {
        return server.tracing().sending(Tracing.Send.BROADCAST, name, event, null, options.rooms(), options.except());
    }

    /**
     * A socket's own event when connection state recovery is on: logged with an offset and delivered through the
     * adapter like a broadcast to the socket's room, so that a client that reconnects elsewhere gets it if it missed
     * it, in order with the broadcasts (what Node's {@code socket.emit} does with recovery on).
     */
    void emitLogged(String socketId, String event, Object[] args) {
        adapter.broadcast(broadcastOf(event, args, BroadcastOptions.socket(socketId), true, true));
    }

    /**
     * Emits with acknowledgements to the selected sockets of every server: completes with every client's answer once
     * each server reported how many clients it reached and all of them answered, or fails at the timeout saying how
     * many answered (as Node's {@code BroadcastOperator.emitWithAck}).
     */
    Uni<List<EventArgs>> broadcastWithAck(String event, Object[] args, BroadcastOptions options, Duration timeout) {
        CompletionStage<List<List<JsonNode>>> result;
        Tracing.Span span = broadcastSpan(event, options);
        try (Tracing.Scope scope = span.enter()) {
            result = adapter.broadcastWithAck(broadcastOf(event, args, options, false, false),
                    timeout == null ? server.ackTimeout() : timeout);
            server.broadcastHooks().deliverLocal(this, event, args, options, false);
        } catch (RuntimeException e) {
            span.end(e);
            throw e;
        }
        span.end(null);
        result.whenComplete((answers, failure) -> {
            if (failure instanceof AckTimeoutException) {
                server.stats().increment(ServerFigure.ACK_TIMEOUTS);
            }
        });
        return Uni.createFrom().completionStage(result).map(answers -> {
            List<EventArgs> all = new ArrayList<>(answers.size());
            answers.forEach(values -> all.add(new EventArgs(event, values)));
            return all;
        });
    }

    @Override
    public void serverSideEmit(String event, Object... args) {
        Tracing.Span span = serverSideEmitSpan(event);
        try (Tracing.Scope scope = span.enter()) {
            adapter.serverSideEmit(event, args);
        } catch (RuntimeException e) {
            span.end(e);
            throw e;
        }
        span.end(null);
    }

    @Override
    public Uni<List<JsonNode>> serverSideEmitWithAck(String event, Object... args) {
        Tracing.Span span = serverSideEmitSpan(event);
        try (Tracing.Scope scope = span.enter()) {
            return adapter.serverSideEmitWithAck(event, args, server.ackTimeout());
        } finally {
            span.end(null);
        }
    }

    private Tracing.Span serverSideEmitSpan(String event) {
        return server.tracing().sending(Tracing.Send.SERVER_SIDE_EMIT, name, event, null, Set.of(), Set.of());
    }

    @Override
    public Uni<Integer> serverCount() {
        return adapter.serverCount();
    }

    @Override
    public Set<String> rooms() {
        return adapter.rooms();
    }

    @Override
    public String toString() {
        return "Namespace[" + name + "]";
    }
}
