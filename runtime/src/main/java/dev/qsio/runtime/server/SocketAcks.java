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

import dev.qsio.AckTimeoutException;
import dev.qsio.EventArgs;
import dev.qsio.SocketDisconnectedException;
import dev.qsio.runtime.protocol.Encoded;
import dev.qsio.runtime.protocol.Packet;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;

/**
 * The acknowledgements a socket awaits from its client. Each ends exactly once, by whoever takes it out of the
 * socket's map: the client's answer, its timer, or the socket's departure. A socket's own {@code emitWithAck} fails
 * with {@link SocketDisconnectedException} when the socket leaves, since no later connection can answer it; the
 * acknowledgement of a broadcast is only let go, then or at the broadcast's timeout, as the broadcast keeps its own
 * timer and waits for its other recipients (Node's behaviour). {@link ServerFigure#ACKS_PENDING} counts what the maps
 * hold.
 * <p>
 * The map is the socket's, made the first time one is awaited (most sockets never await one); this class keeps no
 * state of its own. What it logs is under the socket's category.
 */
final class SocketAcks {

    private static final Logger LOG = Logger.getLogger(SocketImpl.class);

    /** One acknowledgement awaited. */
    static final class Pending {
        /** Gets the arguments of the answer. */
        final Consumer<List<JsonNode>> answered;
        /** Gets the reason the socket left; null when its departure only lets the acknowledgement go. */
        final Consumer<String> departed;
        /** Set once the entry is in the map, so that whoever takes it out can cancel it; -1 for none. */
        volatile long timer = -1;

        Pending(Consumer<List<JsonNode>> answered, Consumer<String> departed) {
            this.answered = answered;
            this.departed = departed;
        }
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

    /**
     * A timeout given to {@code timeout(Duration)} (a socket's or an operator's), as the timers take it: zero expires on
     * the event loop's next turn after the emit (Node's {@code timeout(0)}, a {@code setTimeout} of 0; a Vert.x timer
     * is at least 1 ms), so an acknowledgement can never beat it; a negative or missing one is refused at the call.
     */
    static Duration timeout(Duration timeout) {
        if (timeout == null || timeout.isNegative()) {
            throw new IllegalArgumentException("an acknowledgement's timeout must be zero or more, not " + timeout);
        }
        return timeout.isZero() ? Duration.ofMillis(1) : timeout;
    }

    /**
     * Awaits an acknowledgement. Whatever registers one while the socket leaves is let go here or by
     * {@link #departed}: {@code connected} is cleared before the departure walks the map.
     */
    private static void register(SocketImpl s, long ackId, Pending pending) {
        of(s).put(ackId, pending);
        s.namespace.server.stats().acksPending.increment();
    }

    /** Takes an acknowledgement out, cancelling its timer; null when it has ended already. */
    private static Pending take(SocketImpl s, long ackId) {
        Map<Long, Pending> a = s.acks;
        Pending pending = a == null ? null : a.remove(ackId);
        if (pending != null) {
            s.namespace.server.stats().acksPending.decrement();
            long timer = pending.timer;
            if (timer >= 0) {
                s.namespace.server.vertx().cancelTimer(timer);
            }
        }
        return pending;
    }

    /**
     * Awaits a broadcast's acknowledgement, with no timer of its own: the broadcast lets it go at its timeout
     * ({@link #forget}), as the client may never answer and the socket stay.
     */
    static void expect(SocketImpl s, long ackId, Consumer<List<JsonNode>> callback) {
        register(s, ackId, new Pending(callback, null));
        if (!s.connected) {
            take(s, ackId);
        }
    }

    /** Lets go an acknowledgement still awaited, without calling it (a broadcast's, at its timeout). */
    static void forget(SocketImpl s, long ackId) {
        take(s, ackId);
    }

    /**
     * Sets an acknowledgement's timer once it is in the map (a timer that fired before would find nothing to end):
     * when it fires with the acknowledgement still awaited, {@code expired} runs.
     */
    private static void arm(SocketImpl s, long ackId, Pending pending, long timeoutMs, Runnable expired) {
        Vertx vertx = s.namespace.server.vertx();
        pending.timer = vertx.setTimer(timeoutMs, t -> {
            if (take(s, ackId) != null) {
                expired.run();
            }
        });
        if (s.acks.get(ackId) != pending) {
            // ended meanwhile, maybe before its taker could see the timer
            vertx.cancelTimer(pending.timer);
        }
    }

    /** An acknowledgement of the client: its callback gets every argument; one not awaited is logged. */
    static void answered(SocketImpl s, Packet packet) {
        Pending pending = take(s, packet.id());
        if (pending == null) {
            LOG.debugf("unexpected acknowledgement %d on socket %s", packet.id(), s.id());
            return;
        }
        List<JsonNode> args = new ArrayList<>(packet.data().size());
        packet.data().forEach(args::add);
        pending.answered.accept(List.copyOf(args));
    }

    /**
     * Emits an event asking for an acknowledgement: completes with every argument of the answer; fails after
     * {@code timeout}, or when the socket leaves first (at once when it is not connected).
     */
    static Uni<EventArgs> emit(SocketImpl s, Duration timeout, String event, Object[] args, boolean compress) {
        Namespace namespace = s.namespace;
        CompletableFuture<EventArgs> result = new CompletableFuture<>();
        long ackId = namespace.nextAckId();
        Pending pending = new Pending(values -> result.complete(new EventArgs(event, values)),
                reason -> result.completeExceptionally(new SocketDisconnectedException(s.id(), reason, event)));
        register(s, ackId, pending);
        arm(s, ackId, pending, timeout.toMillis(), () -> {
            namespace.server.stats().increment(ServerFigure.ACK_TIMEOUTS);
            result.completeExceptionally(new AckTimeoutException("operation has timed out", 0, 1));
        });
        Encoded packet = namespace.server.json().encoder().event(namespace.name(), ackId, event, args);
        SocketEmission.emitEncoded(s, event, compress ? packet : packet.uncompressed(), false);
        if (!s.connected && take(s, ackId) != null) {
            pending.departed.accept(s.leftFor());
        }
        return Uni.createFrom().completionStage(result);
    }

    /**
     * The socket left: each acknowledgement it awaited ends, its timer cancelled; a socket's own fails with the
     * reason, a broadcast's is let go.
     */
    static void departed(SocketImpl s, String reason) {
        Map<Long, Pending> pendingAcks = s.acks;
        if (pendingAcks == null) {
            return;
        }
        for (Long ackId : new ArrayList<>(pendingAcks.keySet())) {
            Pending pending = take(s, ackId);
            if (pending != null && pending.departed != null) {
                pending.departed.accept(reason);
            }
        }
    }
}
