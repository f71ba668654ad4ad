package dev.qsio.runtime.server;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;

import dev.qsio.AckTimeoutException;
import dev.qsio.BroadcastOperator;
import dev.qsio.ConnectionRefusedException;
import dev.qsio.Handshake;
import dev.qsio.RemoteSocket;
import dev.qsio.SocketIoNamespace;
import dev.qsio.SocketIoSocket;
import dev.qsio.SocketMiddleware;
import dev.qsio.runtime.adapter.SessionStore;
import dev.qsio.runtime.adapter.Adapter;
import dev.qsio.runtime.adapter.BroadcastOptions;
import dev.qsio.runtime.protocol.Encoded;
import io.smallrye.mutiny.Uni;

/**
 * A namespace: its sockets, middleware, handlers and adapter.
 */
public final class Namespace implements SocketIoNamespace {

    private static final Logger LOG = Logger.getLogger(Namespace.class);

    private final String name;
    final SocketIoServerImpl server;
    final NamespaceHandlers handlers;
    private volatile Adapter adapter;
    private final Map<String, SocketImpl> sockets = new ConcurrentHashMap<>();
    private final List<SocketMiddleware> middlewares = new CopyOnWriteArrayList<>();
    /** Acknowledgement ids are per namespace, so that a broadcast's id never collides with a socket's own. */
    private final AtomicLong ackIds = new AtomicLong();
    private final BroadcastOperator all;

    private final boolean dynamic;

    Namespace(String name, SocketIoServerImpl server, NamespaceHandlers handlers) {
        this(name, server, handlers, false);
    }

    Namespace(String name, SocketIoServerImpl server, NamespaceHandlers handlers, boolean dynamic) {
        this.dynamic = dynamic;
        this.name = name;
        this.server = server;
        this.handlers = handlers;
        this.adapter = server.adapters().create(this);
        this.all = new Operator(this, BroadcastOptions.ALL, null);
    }

    @Override
    public String name() {
        return name;
    }

    public Adapter adapter() {
        return adapter;
    }

    void replaceAdapter(Adapter replacement) {
        if (!sockets.isEmpty()) {
            throw new IllegalStateException("the adapter of " + name + " cannot change while sockets are connected");
        }
        adapter.close();
        adapter = replacement;
    }

    public SocketIoServerImpl server() {
        return server;
    }

    public long nextAckId() {
        return ackIds.getAndIncrement();
    }

    /** The local sockets, for adapters. */
    public Collection<SocketImpl> socketImpls() {
        return sockets.values();
    }

    public SocketImpl socketImpl(String id) {
        return sockets.get(id);
    }

    @Override
    public Collection<SocketIoSocket> localSockets() {
        return Collections.unmodifiableCollection(sockets.values());
    }

    @Override
    public SocketIoSocket socket(String id) {
        return sockets.get(id);
    }

    @Override
    public SocketIoNamespace use(SocketMiddleware middleware) {
        middlewares.add(middleware);
        return this;
    }

    // ---- connection

    /** A client asked to connect: run the middleware, then admit or refuse. */
    void add(Client client, JsonNode auth) {
        SessionStore store = server.sessionStore();
        JsonNode pid = auth == null ? null : auth.get("pid");
        JsonNode offset = auth == null ? null : auth.get("offset");
        if (store != null && pid != null && pid.isTextual() && offset != null && offset.isTextual()) {
            // the client's own auth, without what the client library added for recovery
            JsonNode own = auth.deepCopy();
            ((com.fasterxml.jackson.databind.node.ObjectNode) own).remove(List.of("pid", "offset"));
            store.restore(name, pid.asText(), offset.asText()).subscribe().with(restored -> client.context.runOnContext(v -> {
                if (restored == null) {
                    runMiddleware(new SocketImpl(this, client, new Handshake(client.conn.request(), own)), 0);
                    return;
                }
                String sid = restored.session().sid();
                SocketImpl stale = socketImpl(sid);
                if (stale != null) {
                    stale.replaced();
                } else {
                    // the old connection may still be open on another server that has not noticed it is gone
                    adapter.disconnectSockets(new BroadcastOptions(Set.of(sid), Set.of(), false, false), true);
                }
                SocketImpl socket = new SocketImpl(this, client, new Handshake(client.conn.request(), own), sid,
                        restored.session().pid(), offset.asText());
                if (server.recoverySkipsMiddlewares()) {
                    if (client.isOpen()) {
                        socket.onConnect(restored);
                    }
                } else {
                    runMiddleware(socket, 0, restored);
                }
            }), failure -> client.context.runOnContext(v -> {
                LOG.debugf("session recovery of %s failed: %s", pid.asText(), failure.getMessage());
                runMiddleware(new SocketImpl(this, client, new Handshake(client.conn.request(), own)), 0);
            }));
            return;
        }
        SocketImpl socket = new SocketImpl(this, client, new Handshake(client.conn.request(), auth));
        runMiddleware(socket, 0);
    }

    private void runMiddleware(SocketImpl socket, int index) {
        runMiddleware(socket, index, null);
    }

    private void runMiddleware(SocketImpl socket, int index, SessionStore.Restored restored) {
        List<HandlerMethod> annotated = handlers.middleware;
        if (index < annotated.size()) {
            HandlerMethod m = annotated.get(index);
            socket.executor.submit(m.blocking, () -> {
                Uni<Object> result;
                try {
                    result = m.result(m.invoke(new HandlerMethod.Call(socket, null, null, null, null, null, null)));
                } catch (Throwable t) {
                    refuse(socket, t);
                    return;
                }
                result.subscribe().with(ok -> runMiddleware(socket, index + 1, restored), failure -> refuse(socket, failure));
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
            result.subscribe().with(ok -> runMiddleware(socket, index + 1, restored), failure -> refuse(socket, failure));
            return;
        }
        if (!socket.client.isOpen()) {
            return;
        }
        socket.onConnect(restored);
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
        socket.client.write(server.encoder().connectError(name, message, data), false);
    }

    void added(SocketImpl socket) {
        sockets.put(socket.id(), socket);
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

    void broadcast(String event, Object[] args, BroadcastOptions options) {
        SessionStore store = server.sessionStore();
        if (store != null && !options.local() && SessionStore.logged(options)) {
            // connection state recovery: the offset travels as the last argument; clients remember the last one
            String offset = store.nextOffset();
            Object[] withOffset = java.util.Arrays.copyOf(args, args.length + 1);
            withOffset[args.length] = offset;
            Encoded packet = server.encoder().event(name, -1, event, withOffset);
            store.append(name, offset, packet, options);
            adapter.broadcast(packet, event, options);
            server.broadcastHooks().deliverLocal(this, event, args, options, false);
            return;
        }
        Encoded packet = server.encoder().event(name, -1, event, args);
        adapter.broadcast(packet, event, options);
        server.broadcastHooks().deliverLocal(this, event, args, options, false);
    }

    /**
     * Emits with acknowledgements to the selected sockets of every server: completes with every client's answer once
     * each server reported how many clients it reached and all of them answered, or fails at the timeout saying how
     * many answered (as Node's {@code BroadcastOperator.emitWithAck}).
     */
    Uni<List<JsonNode>> broadcastWithAck(String event, Object[] args, BroadcastOptions options, Duration timeout) {
        CompletableFuture<List<JsonNode>> result = new CompletableFuture<>();
        List<JsonNode> responses = new ArrayList<>();
        int expectedServers = options.local() ? 1 : adapter.serverCountNow();
        int[] reported = new int[2];
        Object lock = new Object();
        long timeoutMs = (timeout == null ? server.ackTimeout() : timeout).toMillis();
        long timer = server.vertx().setTimer(timeoutMs, t -> {
            int got;
            int expected;
            synchronized (lock) {
                got = responses.size();
                expected = reported[1];
            }
            server.stats().ackTimeouts.increment();
            result.completeExceptionally(new AckTimeoutException("operation has timed out: " + got + " of "
                    + (reported[0] < expectedServers ? "at least " : "") + expected + " clients acknowledged", got, expected));
        });
        Runnable check = () -> {
            boolean complete;
            List<JsonNode> copy;
            synchronized (lock) {
                complete = reported[0] >= expectedServers && responses.size() >= reported[1];
                copy = complete ? List.copyOf(responses) : null;
            }
            if (complete && result.complete(copy)) {
                server.vertx().cancelTimer(timer);
            }
        };
        adapter.broadcastWithAck(event, args, options, timeoutMs, count -> {
            synchronized (lock) {
                reported[0]++;
                reported[1] += count;
            }
            check.run();
        }, answer -> {
            synchronized (lock) {
                responses.add(answer);
            }
            check.run();
        });
        server.broadcastHooks().deliverLocal(this, event, args, options, false);
        return Uni.createFrom().completionStage(result);
    }

    // ---- BroadcastOperator on the whole namespace

    @Override
    public BroadcastOperator to(String... rooms) {
        return all.to(rooms);
    }

    @Override
    public BroadcastOperator except(String... rooms) {
        return all.except(rooms);
    }

    @Override
    public BroadcastOperator local() {
        return all.local();
    }

    @Override
    public BroadcastOperator volatile_() {
        return all.volatile_();
    }

    @Override
    public BroadcastOperator timeout(Duration timeout) {
        return all.timeout(timeout);
    }

    @Override
    public void emit(String event, Object... args) {
        all.emit(event, args);
    }

    @Override
    public Uni<List<JsonNode>> emitWithAck(String event, Object... args) {
        return all.emitWithAck(event, args);
    }

    @Override
    public Uni<List<RemoteSocket>> fetchSockets() {
        return all.fetchSockets();
    }

    @Override
    public void socketsJoin(String... rooms) {
        all.socketsJoin(rooms);
    }

    @Override
    public void socketsLeave(String... rooms) {
        all.socketsLeave(rooms);
    }

    @Override
    public void disconnectSockets(boolean close) {
        all.disconnectSockets(close);
    }

    @Override
    public void serverSideEmit(String event, Object... args) {
        adapter.serverSideEmit(event, args, null, null, 0);
    }

    @Override
    public Uni<List<JsonNode>> serverSideEmitWithAck(String event, Object... args) {
        CompletableFuture<List<JsonNode>> result = new CompletableFuture<>();
        adapter.serverSideEmit(event, args, result::complete, result::completeExceptionally,
                server.ackTimeout().toMillis());
        return Uni.createFrom().completionStage(result);
    }

    @Override
    public Uni<Integer> serverCount() {
        return adapter.serverCount();
    }

    Set<String> rooms() {
        return adapter.rooms();
    }

    Namespace namespaceImpl() {
        return this;
    }

    @Override
    public String toString() {
        return "Namespace[" + name + "]";
    }
}
