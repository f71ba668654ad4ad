package dev.qsio.runtime.server;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.qsio.runtime.config.SocketIoRuntimeConfig;
import dev.qsio.runtime.engine.EngineSession;
import dev.qsio.runtime.protocol.Encoded;
import dev.qsio.runtime.protocol.Packet;
import dev.qsio.runtime.protocol.PacketDecoder;
import dev.qsio.runtime.protocol.ProtocolException;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;

/**
 * One Engine.IO connection seen by Socket.IO: it decodes packets and multiplexes the namespaces the client joined.
 */
final class Client {

    private static final Logger LOG = Logger.getLogger(Client.class);

    final EngineSession<Client> conn;
    final SocketIoServerImpl server;
    final Context context;
    private final PacketDecoder decoder;
    /**
     * Namespace to this connection's socket in it: an immutable map replaced on each (rare) change, as most
     * connections are in one or two namespaces; read without a lock.
     */
    private volatile Map<String, SocketImpl> sockets = Map.of();
    private final long connectTimer;
    private volatile boolean closed;
    /** What the client may send ({@code quarkus.socketio.inbound}), or null when nothing is limited. */
    private final InboundLimits limits;

    Client(SocketIoServerImpl server, EngineSession<Client> conn) {
        this.server = server;
        this.conn = conn;
        Context current = Vertx.currentContext();
        this.context = current != null ? current : server.vertx().getOrCreateContext();
        this.decoder = server.json().decoder(server.maxAttachments());
        this.limits = server.inboundLimits();
        // a connection that joins no namespace in time is closed (connectTimeout)
        this.connectTimer = server.vertx().setTimer(server.connectTimeoutMs(), t -> {
            if (sockets.isEmpty()) {
                LOG.debugf("connection %s joined no namespace in time; closing", conn.id());
                conn.close();
            }
        });
    }

    boolean isOpen() {
        return conn.isOpen();
    }

    void onText(String text) {
        if (limits != null) {
            limits.received(text.length(), System.nanoTime());
        }
        Packet packet;
        try {
            synchronized (decoder) {
                packet = decoder.onText(text);
            }
        } catch (ProtocolException e) {
            fail(e);
            return;
        }
        if (packet != null) {
            dispatch(packet);
        }
    }

    void onBinary(Buffer data) {
        if (limits != null) {
            limits.received(data.length(), System.nanoTime());
        }
        Packet packet;
        try {
            synchronized (decoder) {
                packet = decoder.onBinary(data);
            }
        } catch (ProtocolException e) {
            fail(e);
            return;
        }
        if (packet != null) {
            dispatch(packet);
        }
    }

    private static final long INVALID_LOG_INTERVAL_NANOS = 10_000_000_000L;
    /** When the last session closed for an invalid packet was logged at INFO, and how many were closed since. */
    private static final AtomicLong lastInvalidLogged = new AtomicLong(System.nanoTime() - INVALID_LOG_INTERVAL_NANOS);
    private static final AtomicLong invalidSinceLogged = new AtomicLong();

    /**
     * A packet that breaks the protocol closes this connection only. It is logged with the client's address, so that
     * whoever sends such packets can be found, at INFO at most once per 10 s with the count since (a client that
     * sends them on purpose must not flood the log), the others at DEBUG.
     */
    private void fail(ProtocolException e) {
        long count = invalidSinceLogged.incrementAndGet();
        long now = System.nanoTime();
        long last = lastInvalidLogged.get();
        String from = conn.request() == null ? null : conn.request().remoteAddress();
        if (now - last >= INVALID_LOG_INTERVAL_NANOS && lastInvalidLogged.compareAndSet(last, now)) {
            invalidSinceLogged.set(0);
            LOG.infof("Closed connection %s from %s: invalid packet (%s)%s", conn.id(), from, e.getMessage(),
                    count > 1 ? "; " + (count - 1) + " more closed for invalid packets since the last such message" : "");
        } else {
            LOG.debugf("Closed connection %s from %s: invalid packet (%s)", conn.id(), from, e.getMessage());
        }
        broken(e.getMessage());
    }

    /**
     * The client broke the Socket.IO protocol (a packet that does not decode, one its namespace's state does not
     * allow): the connection closes, as Node's server closes it, gracefully: what was queued before (the answer to a
     * CONNECT, say) goes out first, then the Engine.IO close packet; the handlers see {@code parse error}.
     */
    private void broken(String what) {
        LOG.debugf("connection %s: %s", conn.id(), what);
        synchronized (this) {
            if (admitting != null) {
                // a CONNECT still being admitted (its middleware running) is answered first, as Node answers it before
                // it reads the next packet; the close follows, bounded by the connect timeout
                if (!closeWhenAdmitted) {
                    closeWhenAdmitted = true;
                    server.vertx().setTimer(server.connectTimeoutMs(), t -> conn.close(PARSE_ERROR));
                }
                return;
            }
        }
        conn.close(PARSE_ERROR);
    }

    /**
     * The namespace whose CONNECT is being admitted (null when none; {@link #admittingMore} holds the others, when a
     * client joins several at once): what a protocol violation waits for before the connection closes.
     */
    private String admitting;
    private Set<String> admittingMore;
    /** A protocol violation arrived while a CONNECT was being admitted: the connection closes once it is answered. */
    private volatile boolean closeWhenAdmitted;

    private synchronized boolean isAdmitting(String namespace) {
        return namespace.equals(admitting) || (admittingMore != null && admittingMore.contains(namespace));
    }

    private synchronized void admitting(String namespace) {
        if (admitting == null) {
            admitting = namespace;
        } else {
            if (admittingMore == null) {
                admittingMore = new HashSet<>(2);
            }
            admittingMore.add(namespace);
        }
    }

    /** The CONNECT to {@code namespace} was answered; a violation that waited for it closes the connection now. */
    private void admitted(String namespace) {
        synchronized (this) {
            if (namespace.equals(admitting)) {
                admitting = admittingMore == null || admittingMore.isEmpty() ? null : pollOne(admittingMore);
            } else if (admittingMore != null) {
                admittingMore.remove(namespace);
            }
            if (!closeWhenAdmitted || admitting != null) {
                return;
            }
        }
        conn.close(PARSE_ERROR);
    }

    private static String pollOne(Set<String> names) {
        String one = names.iterator().next();
        names.remove(one);
        return one;
    }

    /** The reason a connection that broke the protocol ends with, as Engine.IO names it. */
    static final String PARSE_ERROR = "parse error";

    /**
     * A packet for a namespace this connection has no socket in. Node's server closes the connection; so does this
     * one, unless the connection had a socket there that left (the server may have disconnected it while the
     * client's packets were on their way), which is ignored. The 2.x generation's clients keep the old leniency.
     */
    private void notConnected(Packet packet) {
        if (legacy() || hasLeft(packet.namespace())) {
            LOG.debugf("connection %s sent %s to %s, which it is not in", conn.id(), packet.kind(), packet.namespace());
            return;
        }
        broken(packet.kind() + " packet for namespace " + packet.namespace() + ", which it has not joined");
    }

    /** The namespaces this connection had a socket in that left; null until one leaves. */
    private Set<String> left;

    private synchronized boolean hasLeft(String namespace) {
        return left != null && left.contains(namespace);
    }

    private void dispatch(Packet packet) {
        server.stats().packetsIn.increment();
        if (closeWhenAdmitted) {
            // the connection broke the protocol and closes once its pending CONNECT is answered: nothing else is read
            return;
        }
        switch (packet.kind()) {
            case CONNECT -> {
                if (legacy()) {
                    connectLegacy(packet.namespace());
                } else {
                    connect(packet.namespace(),
                            packet.data() == null ? JsonNodeFactory.instance.objectNode() : packet.data());
                }
            }
            case EVENT -> {
                SocketImpl socket = sockets.get(packet.namespace());
                if (socket == null) {
                    notConnected(packet);
                } else if (limits == null || admitted(socket, packet)) {
                    socket.onEvent(packet);
                }
            }
            case ACK -> {
                SocketImpl socket = sockets.get(packet.namespace());
                if (socket == null) {
                    notConnected(packet);
                } else {
                    socket.onAck(packet);
                }
            }
            case DISCONNECT -> {
                SocketImpl socket = sockets.get(packet.namespace());
                if (socket == null) {
                    notConnected(packet);
                } else {
                    socket.onClientDisconnect();
                }
            }
            default -> broken("unexpected " + packet.kind() + " packet");
        }
    }

    /**
     * Whether an event is within the client's limits; past one it is dropped (answered with an error when it asked for
     * an acknowledgement) or the connection is closed, and counted either way.
     */
    private boolean admitted(SocketImpl socket, Packet packet) {
        String event = packet.data().get(0).asText();
        if (limits.allow(event, System.nanoTime())) {
            return true;
        }
        server.stats().increment(ServerFigure.EVENTS_LIMITED);
        InboundLimits.logRefused(conn.id(), conn.request() == null ? null : conn.request().remoteAddress(), event,
                limits.exceeded());
        if (limits.exceeded() == SocketIoRuntimeConfig.Inbound.Exceeded.DISCONNECT) {
            if (!limits.cooldown().isZero()) {
                conn.coolDownAddress(limits.cooldown());
            }
            conn.closeFor(RATE_LIMITED);
        } else if (packet.hasId()) {
            SocketEmission.sendAck(socket, packet.id(), event, new Object[] { RATE_LIMITED_ANSWER });
        }
        return false;
    }

    /** The reason a connection ends past an inbound limit ({@code exceeded=disconnect}). */
    static final String RATE_LIMITED = "rate limited";
    /** The acknowledgement of an event dropped past an inbound limit. */
    private static final Map<String, String> RATE_LIMITED_ANSWER = Map.of("error", RATE_LIMITED);

    /**
     * Whether the client speaks Socket.IO protocol 4, the 2.x generation's (over Engine.IO revision 3): it is joined
     * to the main namespace at once, names other namespaces with their query ({@code /chat?token=x}) in the CONNECT
     * packet, whose answer has no body, and its sockets' ids are the connection's id (prefixed with the namespace
     * and {@code #} outside the main one), as its client library computes them.
     */
    boolean legacy() {
        return conn.protocol() == 3;
    }

    /** Protocol 4: the connection joins the main namespace when it opens (with an empty {@code auth}). */
    void connectMain() {
        connect("/", JsonNodeFactory.instance.objectNode());
    }

    /** Protocol 4: a CONNECT's namespace carries the client's query, which becomes the socket's {@code auth}. */
    private void connectLegacy(String nameAndQuery) {
        int q = nameAndQuery.indexOf('?');
        ObjectNode auth = JsonNodeFactory.instance.objectNode();
        if (q < 0) {
            connect(nameAndQuery, auth);
            return;
        }
        try {
            new QueryStringDecoder(nameAndQuery.substring(q), StandardCharsets.UTF_8, false).parameters()
                    .forEach((key, values) -> auth.put(key, values.get(values.size() - 1)));
        } catch (IllegalArgumentException e) {
            LOG.debugf("connection %s sent a CONNECT with a bad query: %s", conn.id(), e.getMessage());
            conn.fail("bad query in a CONNECT packet");
            return;
        }
        connect(nameAndQuery.substring(0, q), auth);
    }

    private void connect(String name, JsonNode auth) {
        if (sockets.containsKey(name) || isAdmitting(name)) {
            if (legacy()) {
                LOG.debugf("connection %s is already in namespace %s", conn.id(), name);
            } else {
                // as Node's server: a second CONNECT to a namespace the connection is in closes the connection
                broken("CONNECT to namespace " + name + ", which it is in already");
            }
            return;
        }
        if (sockets.size() >= server.maxNamespacesPerConnection()) {
            refuse(name, "Too many namespaces", null);
            return;
        }
        Namespace namespace = server.namespaceFor(name, conn.request(), auth);
        if (namespace == null) {
            refuse(name, "Invalid namespace", null);
            return;
        }
        admitting(name);
        namespace.add(this, auth);
    }

    /**
     * Refuses a namespace CONNECT: CONNECT_ERROR with {@code {"message", "data"}}; to a protocol 4 client, an ERROR
     * whose body is the data when there is some, otherwise the message, as the 2.x servers sent it (the 2.x Java
     * client reads nothing else).
     */
    void refuse(String namespace, String message, Object data) {
        if (legacy()) {
            write(server.json().encoder().error(namespace, data != null ? data : message), false);
        } else {
            write(server.json().encoder().connectError(namespace, message, data), false);
        }
        admitted(namespace);
    }

    void added(SocketImpl socket) {
        synchronized (this) {
            Map<String, SocketImpl> next = new HashMap<>(sockets);
            next.put(socket.namespace(), socket);
            sockets = Map.copyOf(next);
            holdToNamespacesLag();
        }
        server.vertx().cancelTimer(connectTimer);
    }

    /** The socket's CONNECT was answered ({@link SocketImpl#onConnect}, after its answer is written). */
    void connected(SocketImpl socket) {
        admitted(socket.namespace());
    }

    /** Holds the client to the strictest lag rule of the namespaces it is in ({@link SlowConsumerPolicies#lag}). */
    private void holdToNamespacesLag() {
        SlowConsumerPolicies policies = server.slowConsumerPolicies;
        if (policies != null && !policies.lagByNamespace().isEmpty()) {
            conn.lag(policies.lag(sockets.keySet()));
        }
    }

    void removed(SocketImpl socket) {
        synchronized (this) {
            if (sockets.get(socket.namespace()) == socket) {
                Map<String, SocketImpl> next = new HashMap<>(sockets);
                next.remove(socket.namespace());
                sockets = Map.copyOf(next);
                if (!closed) {
                    // remembered only while the connection stays open: its client's packets may still be on their way
                    if (left == null) {
                        left = new HashSet<>(2);
                    }
                    left.add(socket.namespace());
                }
                holdToNamespacesLag();
            }
        }
    }

    /** Writes an encoded packet; with {@code dropIfBusy}, only if the transport can take it at once. */
    void write(Encoded packet, boolean dropIfBusy) {
        write(packet, dropIfBusy, null);
    }

    /**
     * Writes an encoded packet, one a slow client may miss under the {@code drop-oldest} policy of namespace
     * {@code of} (when given).
     */
    void write(Encoded packet, boolean dropIfBusy, Namespace of) {
        if (dropIfBusy && !conn.takesVolatile()) {
            return;
        }
        server.stats().packetsOut.increment();
        if (packet.single()) {
            conn.send(of == null ? packet.messages().get(0) : of.droppable(packet));
        } else {
            conn.send(packet.messages());
        }
    }

    /**
     * The client caught up after missing events of the namespaces of {@code counts} ({@code drop-oldest}): each of
     * its sockets there is told how many.
     */
    void onDropped(Map<String, Integer> counts) {
        Map<String, SocketImpl> now = sockets;
        counts.forEach((namespace, count) -> {
            SocketImpl socket = now.get(namespace);
            if (socket != null) {
                socket.dropped(count);
            }
        });
    }

    /** Disconnects every socket of this connection, then closes it (Node's {@code socket.disconnect(true)}). */
    void disconnectAll() {
        for (SocketImpl socket : sockets.values()) {
            socket.disconnect(false);
        }
        conn.close();
    }

    /** The connection changed transport: the observer and the tracing hear of it for each socket. */
    void onUpgrade(String transport) {
        SocketObserver observer = server.observer();
        for (SocketImpl socket : sockets.values()) {
            if (observer != null) {
                observer.upgraded(socket, transport);
            }
            socket.upgraded(transport);
        }
    }

    /** Whether the connection ended ({@link #onClose}). */
    boolean closed() {
        return closed;
    }

    /** The connection ended: every socket leaves with the engine's reason, and its places under a cap are free. */
    void onClose(String reason) {
        closed = true;
        server.vertx().cancelTimer(connectTimer);
        IdentityCaps caps = server.identityCaps;
        if (caps != null) {
            caps.release(this);
        }
        for (SocketImpl socket : sockets.values()) {
            socket.onClose(reason);
        }
    }

    @Override
    public String toString() {
        return "Client[" + conn.id() + " sockets " + sockets.values() + "]";
    }
}
