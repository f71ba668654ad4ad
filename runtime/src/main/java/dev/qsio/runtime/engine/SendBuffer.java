package dev.qsio.runtime.engine;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.jboss.logging.Logger;

import dev.qsio.EngineListener;

/**
 * The write path of one Engine.IO session: what it holds for its client until its transport can carry it (polling
 * between requests, a WebSocket while it upgrades), the {@code max-buffered-bytes} bound on it, the packets a client
 * that does not keep up may miss ({@link EnginePacket#droppable}) and what was dropped of them, and what waits for the
 * client to take everything ({@link EngineSession#drained()}).
 * <p>
 * Its state is guarded by the session's monitor: each method takes it or says it is called with it held. Most buffers
 * are empty most of the time.
 */
final class SendBuffer<C> {

    private static final Logger LOG = Logger.getLogger(EngineSession.class);

    private final EngineSession<C> session;
    private final ArrayDeque<EnginePacket> packets = new ArrayDeque<>(2);
    /** About the bytes of the messages held; the protocol's own packets (open, ping, close) are not counted. */
    private long bytes;
    /** The part of {@link #bytes} that a client which does not keep up may miss. */
    private long droppableBytes;
    /** What was dropped for a client that did not keep up, until it is told; null before the first drop. */
    private Drops drops;
    /** What waits for the client to take what it was sent; null when nothing does. */
    private List<CompletableFuture<Void>> catchUp;
    /**
     * Since when (nanoTime) the client has been behind, as {@link SlowConsumers} saw it at its checks; 0 when it was
     * not. Read and written by that check only.
     */
    long behindSince;

    SendBuffer(EngineSession<C> session) {
        this.session = session;
    }

    /** Sends a message, possibly shared with other sessions. */
    void send(EnginePacket packet) {
        synchronized (session) {
            if (!session.isOpen()) {
                return;
            }
            boolean droppable = packet.dropGroup() != null;
            if (droppable && !packets.isEmpty()) {
                // room for it among what the client may miss, the oldest going first
                dropOldest(dropBytes() - packet.size());
            }
            if (droppable || !pastBound(packet.size())) {
                Transport transport = session.currentTransport();
                if (packets.isEmpty() && transport.writable()) {
                    EngineListener[] to = session.listeners();
                    if (to != null) {
                        EngineListeners.packet(to, false, packet, session.id());
                        EngineListeners.flushing(to, 1, session.id());
                    }
                    transport.send(packet);
                    if (to != null) {
                        EngineListeners.drained(to, session.id());
                    }
                    return;
                }
                packets.add(packet);
                bytes += packet.size();
                if (droppable) {
                    droppableBytes += packet.size();
                }
                flush();
                return;
            }
        }
        overflow();
    }

    /** Sends several messages as one write where the transport allows (one polling response). */
    void send(List<EnginePacket> messages) {
        synchronized (session) {
            if (!session.isOpen()) {
                return;
            }
            long size = 0;
            for (EnginePacket p : messages) {
                size += p.size();
            }
            if (!pastBound(size)) {
                packets.addAll(messages);
                bytes += size;
                flush();
                return;
            }
        }
        overflow();
    }

    /** Sends a packet of the protocol itself (open, ping, pong, close), counted against no bound. Lock held. */
    void control(EnginePacket packet) {
        packets.add(packet);
        flush();
    }

    /**
     * Whether {@code size} more bytes would take what the session holds for its client past
     * {@code max-buffered-bytes}: never when nothing is held, so that one message larger than the bound still goes
     * out. Called with the lock held.
     */
    private boolean pastBound(long size) {
        return EngineOptions.pastBound(heldBytes(), size, session.server.options().maxBufferedBytes());
    }

    /** Drops the oldest packets the client may miss until those left hold at most {@code keep} bytes. */
    private void dropOldest(long keep) {
        if (droppableBytes <= keep) {
            return;
        }
        if (drops == null) {
            drops = new Drops();
        }
        long removed = drops.dropOldest(packets, droppableBytes, Math.max(0, keep));
        droppableBytes -= removed;
        bytes -= removed;
        session.server.stats().add(EngineFigure.PACKETS_DROPPED, drops.lastCount());
    }

    /**
     * Tells the layer above what a client that did not keep up missed, once it caught up (what was held went out): on
     * the session's context, after what it was sent. Called with the lock held, or on the loop that owns {@code from}.
     */
    void reportDrops(Drops from) {
        if (from == null || !from.any()) {
            return;
        }
        Map<String, Integer> counts = from.take();
        int total = counts.values().stream().mapToInt(Integer::intValue).sum();
        LOG.debugf("session %s caught up after missing %d packets (slow-consumer.policy drop-oldest)", session.id(),
                total);
        C c = session.connection();
        if (c != null) {
            session.server.vertx().runOnContext(v -> {
                if (session.isOpen()) {
                    session.server.handler().onDropped(c, counts);
                }
            });
        }
    }

    /** Whether nothing waits to be sent. Called with the session's lock held. */
    boolean isEmpty() {
        return packets.isEmpty();
    }

    /** Writes what is held if the transport can carry it. Called with the lock held. */
    void flush() {
        if (!packets.isEmpty() && session.currentTransport().writable()) {
            flushAll();
        }
    }

    /** Writes everything held as one write when the transport can carry it. Called with the lock held. */
    void flushAll() {
        Transport transport = session.currentTransport();
        if (packets.isEmpty() || !transport.writable()) {
            return;
        }
        bytes = 0;
        droppableBytes = 0;
        if (drops != null) {
            reportDrops(drops);
        }
        EngineListener[] to = session.listeners();
        if (to != null) {
            for (EnginePacket p : packets) {
                EngineListeners.packet(to, false, p, session.id());
            }
            EngineListeners.flushing(to, packets.size(), session.id());
        }
        if (packets.size() == 1) {
            transport.send(packets.poll());
        } else {
            List<EnginePacket> all = new ArrayList<>(packets);
            packets.clear();
            transport.send(all);
        }
        if (to != null) {
            EngineListeners.drained(to, session.id());
        }
        if (catchUp != null) {
            // what waits runs the application's code: not under the session's monitor
            session.server.vertx().runOnContext(v -> caughtUp());
        }
    }

    /** The client does not read what it is sent: the session ends and what it held is freed. */
    void overflow() {
        session.server.stats().increment(EngineFigure.BUFFER_OVERFLOWS);
        LOG.debugf("session %s closed: more than %d bytes held for a client that does not read", session.id(),
                session.server.options().maxBufferedBytes());
        session.onClose(EngineSession.BUFFER_FULL);
    }

    /**
     * Whether a volatile packet goes to the client now: false when it would wait (the transport cannot take it without
     * queueing), counted as dropped ({@link EngineFigure#VOLATILE_DROPPED}) while the session is open.
     */
    boolean takesVolatile() {
        synchronized (session) {
            if (!session.isOpen()) {
                return false;
            }
            if (session.currentTransport().congested()) {
                session.server.stats().increment(EngineFigure.VOLATILE_DROPPED);
                return false;
            }
            return true;
        }
    }

    /** What is held for the client, here and in its transport; 0 when the session is not open. */
    long bufferedBytes() {
        synchronized (session) {
            // a session registered by its handshake has no transport until it starts: the slow consumers' check may
            // meet it then
            return session.isOpen() && session.currentTransport() != null ? heldBytes() : 0;
        }
    }

    /** Whether nothing is held for the client and the session is open. */
    boolean writable() {
        synchronized (session) {
            return session.isOpen() && heldBytes() == 0;
        }
    }

    /** What is held for the client, here and in its transport. Called with the lock held. */
    private long heldBytes() {
        return bytes + session.currentTransport().backlog();
    }

    /**
     * What is held for the client that the {@code drop-oldest} policy does not bound: what the {@code max-lag} rule of
     * {@link SlowConsumers} looks at.
     */
    long undroppableBytes() {
        synchronized (session) {
            if (!session.isOpen()) {
                return 0;
            }
            Transport t = session.currentTransport();
            return bytes - droppableBytes + t.backlog() - t.droppableBacklog();
        }
    }

    /** The most the session holds of packets its client may miss: its own lag rule's, or the process's. */
    long dropBytes() {
        SlowConsumers.Lag own = session.lag();
        return own != null ? own.lagBytes() : session.server.options().dropBytes();
    }

    /** A future completed when the client has taken what it was sent, failed if the session ends first. */
    CompletableFuture<Void> whenCaughtUp() {
        synchronized (session) {
            if (!session.isOpen()) {
                return CompletableFuture.failedFuture(closed());
            }
            if (heldBytes() == 0) {
                return CompletableFuture.completedFuture(null);
            }
            CompletableFuture<Void> f = new CompletableFuture<>();
            if (catchUp == null) {
                catchUp = new ArrayList<>(1);
            }
            catchUp.add(f);
            return f;
        }
    }

    /**
     * The transport may have taken what waited (its connection went under its low-water mark, a polling request took
     * the buffer, or a check of {@link SlowConsumers}): completes what waits for the client to catch up if it has, or
     * fails it if the session ended. Not called with the monitor held, since what waits runs the application's code.
     */
    void caughtUp() {
        List<CompletableFuture<Void>> done;
        synchronized (session) {
            if (catchUp == null || (session.isOpen() && heldBytes() > 0)) {
                return;
            }
            done = catchUp;
            catchUp = null;
        }
        if (session.isOpen()) {
            done.forEach(f -> f.complete(null));
        } else {
            IllegalStateException closed = closed();
            done.forEach(f -> f.completeExceptionally(closed));
        }
    }

    private IllegalStateException closed() {
        return new IllegalStateException("Engine.IO session " + session.id() + " is closed");
    }

    /** Whether something waits for the client to catch up; read without the monitor too (by the slow consumers). */
    boolean awaitsCatchUp() {
        return catchUp != null;
    }

    /** Lets everything held go: the session ended. What waits for a catch-up stays, to be failed. Lock held. */
    void clear() {
        packets.clear();
        bytes = 0;
        droppableBytes = 0;
        drops = null;
    }
}
