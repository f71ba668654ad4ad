package dev.qsio.runtime.server;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;

import dev.qsio.Ack;
import dev.qsio.AckTimeoutException;
import dev.qsio.BroadcastOperator;
import dev.qsio.Handshake;
import dev.qsio.SocketIoSocket;
import dev.qsio.runtime.adapter.BroadcastOptions;
import dev.qsio.runtime.engine.Ids;
import dev.qsio.runtime.protocol.Encoded;
import dev.qsio.runtime.protocol.Packet;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;

/**
 * A socket: one client's presence in one namespace.
 */
public final class SocketImpl implements SocketIoSocket {

    private static final Logger LOG = Logger.getLogger(SocketImpl.class);

    private final String id;
    final Namespace namespace;
    final Client client;
    private final Handshake handshake;
    private final Map<String, Object> data = new ConcurrentHashMap<>();
    private final Map<Long, PendingAck> acks = new ConcurrentHashMap<>();
    final SerialExecutor executor;
    private volatile boolean connected;

    private record PendingAck(Consumer<List<JsonNode>> callback, long timer) {
    }

    SocketImpl(Namespace namespace, Client client, Handshake handshake) {
        this.id = Ids.next();
        this.namespace = namespace;
        this.client = client;
        this.handshake = handshake;
        this.executor = new SerialExecutor(client.context);
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
        return data;
    }

    @Override
    public Set<String> rooms() {
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

    // ---- lifecycle

    void onConnect() {
        connected = true;
        namespace.added(this);
        client.added(this);
        namespace.adapter().addAll(id, Set.of(id));
        client.write(namespace.server.encoder().connect(namespace.name(),
                JsonNodeFactory.instance.objectNode().put("sid", id)), false);
        for (HandlerMethod m : namespace.handlers.connect) {
            executor.submit(m.blocking, () -> call(m, new HandlerMethod.Call(this, null, null, null, null, null, null),
                    AckImpl.NONE));
        }
    }

    /** Leaves the namespace for a reason; at most once. */
    void onClose(String reason) {
        if (!connected) {
            return;
        }
        connected = false;
        namespace.adapter().delAll(id);
        namespace.removed(this);
        client.removed(this);
        for (Long ackId : new ArrayList<>(acks.keySet())) {
            PendingAck pending = acks.remove(ackId);
            if (pending != null && pending.timer >= 0) {
                namespace.server.vertx().cancelTimer(pending.timer);
            }
        }
        for (HandlerMethod m : namespace.handlers.disconnect) {
            executor.submit(m.blocking, () -> call(m, new HandlerMethod.Call(this, null, reason, null, null, null, null),
                    AckImpl.NONE));
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
            client.write(namespace.server.encoder().disconnect(namespace.name()), false);
            onClose("server namespace disconnect");
        }
    }

    /** The client left this namespace with a DISCONNECT packet. */
    void onClientDisconnect() {
        onClose("client namespace disconnect");
    }

    // ---- incoming

    void onEvent(Packet packet) {
        ArrayNode payload = (ArrayNode) packet.data();
        String event = payload.get(0).asText();
        List<HandlerMethod> methods = namespace.handlers.events(event);
        if (methods.isEmpty()) {
            LOG.debugf("no handler for event '%s' in %s", event, namespace.name());
            return;
        }
        List<JsonNode> args = new ArrayList<>(payload.size() - 1);
        for (int i = 1; i < payload.size(); i++) {
            args.add(payload.get(i));
        }
        Ack ack = packet.hasId() ? new AckImpl(this, packet.id()) : AckImpl.NONE;
        HandlerMethod.Call call = new HandlerMethod.Call(this, ack, null, null, null, event, args);
        for (HandlerMethod m : methods) {
            executor.submit(m.blocking, () -> call(m, call, ack));
        }
    }

    void onAck(Packet packet) {
        PendingAck pending = acks.remove(packet.id());
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
        Object raw;
        try {
            raw = m.invoke(call);
        } catch (ArgumentException e) {
            onError(e);
            return;
        } catch (Throwable t) {
            onError(t);
            return;
        }
        if (m.returns == HandlerDefinition.Returns.VOID) {
            // a void handler without an Ack parameter is done when it returns: that is its acknowledgement
            if (ack.requested() && !m.takesAck()) {
                ack.send();
            }
            return;
        }
        m.result(raw).subscribe().with(value -> {
            if (ack.requested()) {
                if (value == null) {
                    ack.send();
                } else {
                    ack.send(value);
                }
            }
        }, this::onError);
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
                LOG.errorf(failure, "Socket.IO handler failed in namespace %s (socket %s)", namespace.name(), id);
            }
            return;
        }
        for (HandlerMethod m : matching) {
            executor.submit(m.blocking, () -> {
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
    public void write(Encoded packet, boolean dropIfBusy) {
        if (connected) {
            client.write(packet, dropIfBusy);
        }
    }

    void sendAck(long ackId, Object[] args) {
        write(namespace.server.encoder().ack(namespace.name(), ackId, args), false);
    }

    /** Registers the callback of an acknowledgement this socket will send (broadcasts with acks). */
    public void expectAck(long ackId, Consumer<List<JsonNode>> callback) {
        acks.put(ackId, new PendingAck(callback, -1));
    }

    @Override
    public void emit(String event, Object... args) {
        write(namespace.server.encoder().event(namespace.name(), -1, event, args), false);
    }

    @Override
    public Uni<JsonNode> emitWithAck(String event, Object... args) {
        return emitWithAck(namespace.server.ackTimeout(), event, args);
    }

    private Uni<JsonNode> emitWithAck(Duration timeout, String event, Object[] args) {
        CompletableFuture<JsonNode> result = new CompletableFuture<>();
        long ackId = namespace.nextAckId();
        Vertx vertx = namespace.server.vertx();
        long timer = vertx.setTimer(timeout.toMillis(), t -> {
            if (acks.remove(ackId) != null) {
                namespace.server.stats().ackTimeouts.increment();
                result.completeExceptionally(new AckTimeoutException("operation has timed out", 0, 1));
            }
        });
        acks.put(ackId, new PendingAck(a -> result.complete(a.isEmpty() ? NullNode.getInstance() : a.get(0)), timer));
        write(namespace.server.encoder().event(namespace.name(), ackId, event, args), false);
        if (!connected && acks.remove(ackId) != null) {
            vertx.cancelTimer(timer);
            result.completeExceptionally(new IllegalStateException("socket " + id + " is disconnected"));
        }
        return Uni.createFrom().completionStage(result);
    }

    @Override
    public Emitter timeout(Duration timeout) {
        return new Emitter() {
            @Override
            public void emit(String event, Object... args) {
                SocketImpl.this.emit(event, args);
            }

            @Override
            public Uni<JsonNode> emitWithAck(String event, Object... args) {
                return SocketImpl.this.emitWithAck(timeout, event, args);
            }
        };
    }

    // ---- rooms

    @Override
    public void join(String... rooms) {
        if (connected) {
            namespace.adapter().addAll(id, Set.of(rooms));
        }
    }

    @Override
    public void leave(String room) {
        namespace.adapter().del(id, room);
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
