package dev.qsio.runtime.server;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;

import dev.qsio.AckTimeoutException;
import dev.qsio.runtime.protocol.Encoded;
import dev.qsio.runtime.protocol.Packet;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;

/**
 * The acknowledgements a socket awaits from its client: each the callback its answer goes to, and the timer that fails
 * it (-1 for none). They are in the socket's map, made the first time one is awaited (most sockets never await one);
 * this class keeps no state of its own. What it logs is under the socket's category.
 */
final class SocketAcks {

    private static final Logger LOG = Logger.getLogger(SocketImpl.class);

    record Pending(Consumer<List<JsonNode>> callback, long timer) {
    }

    private SocketAcks() {
    }

    private static Map<Long, Pending> of(SocketImpl s) {
        Map<Long, Pending> a = s.acks;
        if (a == null) {
            synchronized (s) {
                a = s.acks;
                if (a == null) {
                    a = new ConcurrentHashMap<>(4);
                    s.acks = a;
                }
            }
        }
        return a;
    }

    private static Pending remove(SocketImpl s, long ackId) {
        Map<Long, Pending> a = s.acks;
        return a == null ? null : a.remove(ackId);
    }

    /** Awaits an acknowledgement without a timer (broadcasts with acks). */
    static void expect(SocketImpl s, long ackId, Consumer<List<JsonNode>> callback) {
        of(s).put(ackId, new Pending(callback, -1));
    }

    /** An acknowledgement of the client: its timer is cancelled and its callback called; one not awaited is logged. */
    static void answered(SocketImpl s, Packet packet) {
        Pending pending = remove(s, packet.id());
        if (pending == null) {
            LOG.debugf("unexpected acknowledgement %d on socket %s", packet.id(), s.id());
            return;
        }
        if (pending.timer >= 0) {
            s.namespace.server.vertx().cancelTimer(pending.timer);
        }
        List<JsonNode> args = new ArrayList<>();
        packet.data().forEach(args::add);
        pending.callback.accept(args);
    }

    /** Emits an event asking for an acknowledgement; fails after {@code timeout}, or at once when disconnected. */
    static Uni<JsonNode> emit(SocketImpl s, Duration timeout, String event, Object[] args, boolean compress) {
        Namespace namespace = s.namespace;
        CompletableFuture<JsonNode> result = new CompletableFuture<>();
        long ackId = namespace.nextAckId();
        Vertx vertx = namespace.server.vertx();
        long timer = vertx.setTimer(timeout.toMillis(), t -> {
            if (remove(s, ackId) != null) {
                namespace.server.stats().increment(ServerFigure.ACK_TIMEOUTS);
                result.completeExceptionally(new AckTimeoutException("operation has timed out", 0, 1));
            }
        });
        of(s).put(ackId, new Pending(a -> result.complete(a.isEmpty() ? NullNode.getInstance() : a.get(0)), timer));
        Encoded packet = namespace.server.json().encoder().event(namespace.name(), ackId, event, args);
        SocketEmission.emitEncoded(s, event, compress ? packet : packet.uncompressed());
        if (!s.connected() && remove(s, ackId) != null) {
            vertx.cancelTimer(timer);
            result.completeExceptionally(new IllegalStateException("socket " + s.id() + " is disconnected"));
        }
        return Uni.createFrom().completionStage(result);
    }

    /** Forgets the acknowledgements still awaited, cancelling their timers: the socket left (their callbacks never run). */
    static void forgetAll(SocketImpl s) {
        Map<Long, Pending> pendingAcks = s.acks;
        for (Long ackId : pendingAcks == null ? List.<Long>of() : new ArrayList<>(pendingAcks.keySet())) {
            Pending pending = pendingAcks.remove(ackId);
            if (pending != null && pending.timer >= 0) {
                s.namespace.server.vertx().cancelTimer(pending.timer);
            }
        }
    }
}
