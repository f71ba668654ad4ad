package dev.qsio.runtime.engine;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.jboss.logging.Logger;

import dev.qsio.EngineIoSocket;
import dev.qsio.EngineListener;
import dev.qsio.HandshakeRequest;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;

/**
 * One Engine.IO session: its transport, the packets waiting for a poll, the heartbeat and the upgrade from
 * polling to WebSocket.
 * <p>
 * State changes happen under the session's monitor; callbacks into the {@link dev.qsio.EngineIoHandler} are made
 * after it is released, so a handler may send to other sessions without lock ordering concerns.
 */
public final class EngineSession<C> implements EngineIoSocket {

    private static final Logger LOG = Logger.getLogger(EngineSession.class);
    static final long NO_TIMER = -1;

    private enum State {
        OPEN,
        CLOSING,
        CLOSED
    }

    /** The reason a session ends when its client does not read what it is sent. */
    public static final String BUFFER_FULL = "send buffer full";
    /**
     * The reason a session ends when its client stayed behind longer than {@code slow-consumer.max-lag}, or was among
     * the slowest when the process held more than {@code slow-consumer.max-total-bytes} for slow clients.
     */
    public static final String SLOW_CONSUMER = "slow consumer";

    final EngineServer<C> server;
    private final String id;
    private final HandshakeRequest request;
    /** The entry of the limits per address this session counts against, released when it ends; or null. */
    volatile AddressLimits.Entry addressEntry;
    /**
     * A client of protocol revision 3 (Socket.IO 2.x): it pings and the server answers, and its payloads and binary
     * frames are framed as {@link Eio3Codec} says.
     */
    final boolean eio3;

    private Transport transport;
    /** The WebSocket broadcasts write to directly, when it is the transport (see {@link #broadcastTarget()}). */
    private volatile BroadcastTarget direct;
    /** The transport being probed for an upgrade here, or null. */
    private Transport upgrading;
    private boolean upgraded;
    /** Written under the monitor; read without it by {@link #openForDirectWrites()}. */
    private volatile State state = State.OPEN;
    /** Grows when packets wait (polling between requests, a WebSocket while upgrading); most are empty most of the time. */
    private final ArrayDeque<EnginePacket> buffer = new ArrayDeque<>(2);
    /** About the bytes of the messages in {@link #buffer}. */
    private long bufferedBytes;
    /** The part of {@link #bufferedBytes} that a client which does not keep up may miss ({@link Drops}). */
    private long droppableBytes;
    /** What the buffer dropped for a client that did not keep up, until it is told; null before the first drop. */
    private Drops drops;
    /** What waits for the client to take what it was sent ({@link #drained()}); null when nothing does. */
    private List<CompletableFuture<Void>> catchUp;
    /**
     * Since when (nanoTime) the client has been behind, as {@link SlowConsumers} saw it at its checks; 0 when it was
     * not. Read and written by that check only.
     */
    long behindSince;
    /** This session's own lag rule, over the process's ({@link #lag(SlowConsumers.Lag)}); null for the process's. */
    private volatile SlowConsumers.Lag lag;

    private long pingTimer = NO_TIMER;
    private long pingTimeoutTimer = NO_TIMER;
    private long upgradeTimer = NO_TIMER;
    private long probeTimer = NO_TIMER;
    private long closeTimer = NO_TIMER;

    /**
     * Whether the layer above has the session and every message that arrived before it did. Until then, the client's
     * messages wait in {@link #heldPackets}: during the delayed start of a clustered session ({@link SessionLease}),
     * and while {@code onOpen} runs, since a message may arrive on another thread meanwhile (a POST on another event
     * loop, a packet forwarded by another server).
     */
    private boolean opened;
    private final List<EnginePacket> heldPackets = new ArrayList<>(2);

    /** What the layer above keeps for this session, once it has it. */
    private volatile C connection;

    /** The session as the other servers of a cluster reach it; null in a single process. */
    private final SessionLease lease;

    EngineSession(EngineServer<C> server, String id, HandshakeRequest request, boolean eio3) {
        this.server = server;
        this.id = id;
        this.request = request;
        this.eio3 = eio3;
        this.lease = server.clustered() ? new SessionLease(this) : null;
    }

    /** The session as the other servers of a cluster reach it; null in a single process (no other server exists). */
    public SessionLease lease() {
        return lease;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public synchronized String transport() {
        return transport.kind().name();
    }

    /** The kind of the current transport. */
    synchronized TransportKind kind() {
        return transport.kind();
    }

    /** The application's listeners of this session's events (Node's socket.conn.on), or null: none is called. */
    private volatile EngineListener[] listeners;

    @Override
    public synchronized EngineIoSocket on(EngineListener listener) {
        EngineListener[] current = listeners;
        EngineListener[] next = current == null ? new EngineListener[1] : Arrays.copyOf(current, current.length + 1);
        next[next.length - 1] = listener;
        listeners = next;
        return this;
    }

    /** Tells the listeners of a packet in ({@code in}) or out; only called when there are listeners. */
    void tell(EngineListener[] to, boolean in, EnginePacket packet) {
        String type = packet.type.name().toLowerCase(Locale.ROOT);
        Object data = packet.binary != null ? packet.binary : packet.text;
        for (EngineListener l : to) {
            try {
                if (in) {
                    l.packet(type, data);
                } else {
                    l.packetCreate(type, data);
                }
            } catch (RuntimeException e) {
                LOG.errorf(e, "Engine listener failed on a packet of session %s", id);
            }
        }
    }

    /** The listeners, read by the broadcast fan-out for the packets it writes itself; null when none. */
    EngineListener[] listeners() {
        return listeners;
    }

    /** Whether the current transport carries packets in HTTP requests (long-polling), not over a connection. */
    public synchronized boolean requestBased() {
        // a session is in the server's map from its handshake, before its transport is set: whatever walks the map
        // (the Admin UI's statistics) may meet it
        Transport t = transport;
        return t != null && t.kind().requestBased();
    }

    @Override
    public int protocol() {
        return eio3 ? 3 : 4;
    }

    @Override
    public HandshakeRequest request() {
        return request;
    }

    @Override
    public synchronized boolean isOpen() {
        return state == State.OPEN;
    }

    @Override
    public void send(String text) {
        send(EnginePacket.message(text));
    }

    @Override
    public void send(Buffer data) {
        send(EnginePacket.message(data));
    }

    /** Sends a packet, possibly shared with other sessions. */
    public void send(EnginePacket packet) {
        synchronized (this) {
            if (state != State.OPEN) {
                return;
            }
            boolean droppable = packet.dropGroup() != null;
            if (droppable && !buffer.isEmpty()) {
                // room for it among what the client may miss, the oldest going first
                dropOldest(dropBytes() - packet.size());
            }
            if (droppable || !holds(packet.size())) {
                if (buffer.isEmpty() && transport.writable()) {
                    EngineListener[] to = listeners;
                    if (to != null) {
                        tell(to, false, packet);
                    }
                    transport.send(packet);
                    if (to != null) {
                        drained(to);
                    }
                    return;
                }
                buffer.add(packet);
                bufferedBytes += packet.size();
                if (droppable) {
                    droppableBytes += packet.size();
                }
                flush();
                return;
            }
        }
        overflow();
    }

    /** Drops the oldest droppable packets of the buffer until those left hold at most {@code keep} bytes. */
    private void dropOldest(long keep) {
        if (droppableBytes <= keep) {
            return;
        }
        if (drops == null) {
            drops = new Drops();
        }
        long removed = drops.dropOldest(buffer, droppableBytes, Math.max(0, keep));
        droppableBytes -= removed;
        bufferedBytes -= removed;
        server.stats().add(EngineFigure.PACKETS_DROPPED, drops.lastCount());
    }

    /**
     * Tells the layer above what a client that did not keep up missed, once it caught up (its buffer went out): on
     * the session's context, after what it was sent. Called with the lock held, or on the loop that owns {@code from}.
     */
    void reportDrops(Drops from) {
        if (from == null || !from.any()) {
            return;
        }
        Map<String, Integer> counts = from.take();
        int total = counts.values().stream().mapToInt(Integer::intValue).sum();
        LOG.debugf("session %s caught up after missing %d packets (slow-consumer.policy drop-oldest)", id, total);
        C c = connection;
        if (c != null) {
            server.vertx().runOnContext(v -> {
                if (state == State.OPEN) {
                    server.handler().onDropped(c, counts);
                }
            });
        }
    }

    /** Sends several packets as one write where the transport allows (one polling response). */
    public void send(List<EnginePacket> packets) {
        synchronized (this) {
            if (state != State.OPEN) {
                return;
            }
            long size = 0;
            for (EnginePacket p : packets) {
                size += p.size();
            }
            if (!holds(size)) {
                buffer.addAll(packets);
                bufferedBytes += size;
                flush();
                return;
            }
        }
        overflow();
    }

    /** The transport, read without the monitor by broadcasts ({@link #compresses}). */
    private volatile Transport current;

    /**
     * Whether a broadcast's packet is compressed for this session: permessage-deflate agreed on and the packet
     * large enough. It then takes the session's own write, compressed for it alone. Read without the monitor.
     */
    boolean compresses(EnginePacket packet) {
        Transport t = current;
        return t != null && t.deflating() && server.options().compression().deflates(packet, packet.frame().length());
    }

    /** The current transport. Called with the lock held. */
    Transport currentTransport() {
        return transport;
    }

    /** Sets the transport, under the monitor. */
    private void setTransport(Transport t) {
        transport = t;
        current = t;
        direct = t.broadcastTarget();
    }

    /**
     * Where a broadcast writes this session's frames directly ({@link Fanout}), read without the monitor: its
     * transport's target when it has one ({@link Transport#broadcastTarget()}) and the session is open; otherwise null,
     * and the broadcast goes through {@link #send(EnginePacket)}. (Packets wait in the buffer of a WebSocket session
     * only while its monitor is held: a send flushes them at once.)
     */
    BroadcastTarget broadcastTarget() {
        BroadcastTarget d = direct;
        return d != null && state == State.OPEN ? d : null;
    }

    /**
     * Where a broadcast to this session is best written: the event loop of its WebSocket connection, as an opaque key
     * for {@link Fanout#runAt}; null while it has none (polling, an upgrade in progress, closed).
     */
    public Object home() {
        BroadcastTarget t = broadcastTarget();
        return t == null ? null : t.loop();
    }

    /** Whether the session is still open, read without the monitor (by a broadcast's write on the event loop). */
    boolean openForDirectWrites() {
        return state == State.OPEN;
    }

    /**
     * Whether {@code size} more bytes would take what this session holds for its client past the bound. Nothing
     * held: never, so that one message larger than the bound still goes out. Called with the lock held.
     */
    private boolean holds(long size) {
        return pastBound(bufferedBytes + transport.backlog(), size, server.options().maxBufferedBytes());
    }

    /**
     * The {@code max-buffered-bytes} rule, wherever bytes wait for a client (a session's buffer, a WebSocket written by a
     * broadcast, one relayed for another server): whether {@code size} more bytes on top of {@code held} pass
     * {@code max}. Never when nothing is held, so that one message larger than the bound still goes out.
     */
    public static boolean pastBound(long held, long size, long max) {
        return held > 0 && held + size > max;
    }

    /** The client does not read what it is sent: the session ends and what it held is freed. */
    void overflow() {
        server.stats().increment(EngineFigure.BUFFER_OVERFLOWS);
        LOG.debugf("session %s closed: more than %d bytes held for a client that does not read", id,
                server.options().maxBufferedBytes());
        onClose(BUFFER_FULL);
    }

    /**
     * Whether a packet that may be dropped ({@code volatile} in Socket.IO) should be: the transport cannot take it
     * now without queueing.
     */
    public synchronized boolean congested() {
        return state != State.OPEN || transport.congested();
    }

    /**
     * Whether a volatile packet goes to this session's client now: false when it would wait ({@link #congested()}),
     * counted as dropped ({@link EngineFigure#VOLATILE_DROPPED}) while the session is open.
     */
    public synchronized boolean takesVolatile() {
        if (state != State.OPEN) {
            return false;
        }
        if (transport.congested()) {
            server.stats().increment(EngineFigure.VOLATILE_DROPPED);
            return false;
        }
        return true;
    }

    @Override
    public synchronized long bufferedBytes() {
        // a session registered by its handshake has no transport until it starts: the slow consumers' check may meet
        // it then
        Transport t = transport;
        return state == State.OPEN && t != null ? bufferedBytes + t.backlog() : 0;
    }

    /**
     * Holds this session's client to its own lag rule instead of the process's ({@code slow-consumer.max-lag} and
     * {@code lag-bytes}, which also bounds what it holds of packets it may miss); null for the process's again. Set by
     * the layer above, for what the client takes part in (a namespace's settings).
     */
    public void lag(SlowConsumers.Lag lag) {
        this.lag = lag;
    }

    /** This session's own lag rule; null when it follows the process's. */
    public SlowConsumers.Lag lag() {
        return lag;
    }

    /** The most this session holds of packets its client may miss ({@link EnginePacket#droppable}). */
    long dropBytes() {
        SlowConsumers.Lag own = lag;
        return own != null ? own.lagBytes() : server.options().dropBytes();
    }

    /**
     * What this session holds for its client that the {@code drop-oldest} policy does not bound: the held bytes the
     * {@code max-lag} rule of {@link SlowConsumers} looks at.
     */
    synchronized long undroppableBytes() {
        return state == State.OPEN ? bufferedBytes - droppableBytes + transport.backlog() - transport.droppableBacklog()
                : 0;
    }

    @Override
    public synchronized boolean writable() {
        return state == State.OPEN && bufferedBytes + transport.backlog() == 0;
    }

    @Override
    public Uni<Void> drained() {
        return Uni.createFrom().completionStage(this::whenCaughtUp);
    }

    private synchronized CompletableFuture<Void> whenCaughtUp() {
        if (state != State.OPEN) {
            return CompletableFuture.failedFuture(new IllegalStateException("Engine.IO session " + id + " is closed"));
        }
        if (bufferedBytes + transport.backlog() == 0) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> f = new CompletableFuture<>();
        if (catchUp == null) {
            catchUp = new ArrayList<>(1);
        }
        catchUp.add(f);
        return f;
    }

    /**
     * The transport may have taken what waited (its connection went under its low-water mark, a polling request took
     * the buffer, or a check of {@link SlowConsumers}): completes {@link #drained()} if the client has caught up. Not
     * called with the monitor held, since what waits runs the application's code.
     */
    void caughtUp() {
        List<CompletableFuture<Void>> done;
        synchronized (this) {
            if (catchUp == null || (state == State.OPEN && bufferedBytes + transport.backlog() > 0)) {
                return;
            }
            done = catchUp;
            catchUp = null;
        }
        if (state == State.OPEN) {
            done.forEach(f -> f.complete(null));
        } else {
            IllegalStateException closed = new IllegalStateException("Engine.IO session " + id + " is closed");
            done.forEach(f -> f.completeExceptionally(closed));
        }
    }

    /** Whether something waits for {@link #drained()} (read without the monitor by the slow consumers' check). */
    boolean awaitsCatchUp() {
        return catchUp != null;
    }

    /**
     * Ends a session whose client does not keep up ({@link SlowConsumers}), dropping what it was not able to read:
     * counted under {@code figure}.
     */
    void shed(EngineFigure figure) {
        server.stats().increment(figure);
        onClose(SLOW_CONSUMER);
    }

    @Override
    public void close() {
        close("forced close");
    }

    /** Why a session closing gracefully ({@link #close(String)}) ends, as its handlers are told. */
    private volatile String closingReason = "forced close";

    /**
     * Ends the session gracefully for {@code reason}: what is buffered goes out first, then the close packet (on a
     * polling session, with the next poll, which the client sends at once); the session ends when they are written,
     * or after the ping timeout if no poll comes.
     */
    public void close(String reason) {
        boolean closeNow = false;
        synchronized (this) {
            if (state != State.OPEN) {
                return;
            }
            closingReason = reason;
            state = State.CLOSING;
            if (upgrading != null) {
                // wait for the upgrade to finish or fail: the client is switching transports
                scheduleCloseTimeout();
                return;
            }
            if (!transport.closesWithPacket()) {
                flushAll();
                closeNow = true;
            } else if (transport.writable()) {
                buffer.add(EnginePacket.CLOSE);
                flushAll();
                closeNow = true;
            } else {
                // the next poll carries the queued packets and the close packet
                scheduleCloseTimeout();
            }
        }
        if (closeNow) {
            onClose(closingReason);
        }
    }

    private void scheduleCloseTimeout() {
        closeTimer = server.vertx().setTimer(server.options().pingTimeoutMs(), t -> onClose(closingReason));
    }

    /** The reason of a graceful close under way. */
    String closingReason() {
        return closingReason;
    }

    // ---- lifecycle

    void start(Transport initial) {
        start(initial, 0);
    }

    /**
     * Opens the session. With a delay (a clustered polling session), the application sees the session only after it
     * ({@link SessionLease#delay}).
     */
    void start(Transport initial, long delayMs) {
        synchronized (this) {
            setTransport(initial);
            EnginePacket open = new EnginePacket(EnginePacketType.OPEN, server.openPayload(id, initial), null);
            buffer.add(open);
            flush();
            startHeartbeat();
            if (delayMs > 0) {
                lease.delay(delayMs);
                return;
            }
        }
        open();
    }

    /** What the layer above keeps for this session (the Socket.IO connection), or null before it has it. */
    public C connection() {
        return connection;
    }

    /** Hands the session to the layer above, then the messages that arrived before it had it, in their order. */
    void open() {
        connection = server.handler().onOpen(this);
        while (true) {
            List<EnginePacket> held;
            synchronized (this) {
                if (heldPackets.isEmpty()) {
                    opened = true;
                    return;
                }
                held = new ArrayList<>(heldPackets);
                heldPackets.clear();
            }
            for (EnginePacket p : held) {
                deliver(p);
            }
        }
    }

    /** A session taken over from another server: its connection is open and upgraded, the client knows its id. */
    void startAdopted(Transport ws, List<EnginePacket> clientPackets) {
        synchronized (this) {
            setTransport(ws);
            this.upgraded = true;
            startHeartbeat();
        }
        open();
        for (EnginePacket p : clientPackets) {
            onPacket(ws, p);
        }
    }

    /**
     * Starts the heartbeat. Revision 4: the server pings every interval and waits the timeout for the pong.
     * Revision 3: the client pings every interval; the session ends when none came for the interval and the timeout.
     */
    private void startHeartbeat() {
        if (eio3) {
            awaitClientPing();
        } else {
            schedulePing();
        }
    }

    /** Revision 3: (re)starts the wait for the client's next ping. Called with the lock held. */
    private void awaitClientPing() {
        cancel(pingTimeoutTimer);
        pingTimeoutTimer = server.vertx().setTimer(server.options().pingIntervalMs() + server.options().pingTimeoutMs(),
                t -> onClose("ping timeout"));
    }

    private void schedulePing() {
        pingTimer = server.vertx().setTimer(server.options().pingIntervalMs(), t -> {
            synchronized (this) {
                pingTimer = NO_TIMER;
                if (state == State.CLOSED) {
                    return;
                }
                buffer.add(EnginePacket.PING);
                flush();
                pingTimeoutTimer = server.vertx().setTimer(server.options().pingTimeoutMs(), t2 -> onClose("ping timeout"));
            }
        });
    }

    /** Writes what is buffered if the transport can carry it. Called with the lock held. */
    void flush() {
        if (!buffer.isEmpty() && transport.writable()) {
            flushAll();
        }
    }

    void flushAll() {
        if (buffer.isEmpty() || !transport.writable()) {
            return;
        }
        bufferedBytes = 0;
        droppableBytes = 0;
        if (drops != null) {
            reportDrops(drops);
        }
        EngineListener[] to = listeners;
        if (to != null) {
            for (EnginePacket p : buffer) {
                tell(to, false, p);
            }
        }
        if (buffer.size() == 1) {
            transport.send(buffer.poll());
        } else {
            List<EnginePacket> packets = new ArrayList<>(buffer);
            buffer.clear();
            transport.send(packets);
        }
        if (to != null) {
            drained(to);
        }
        if (catchUp != null) {
            // what waits runs the application's code: not under this monitor
            server.vertx().runOnContext(v -> caughtUp());
        }
    }

    private void drained(EngineListener[] to) {
        for (EngineListener l : to) {
            try {
                l.drain();
            } catch (RuntimeException e) {
                LOG.errorf(e, "Engine listener failed on drain of session %s", id);
            }
        }
    }

    /**
     * The client closed the session (a CLOSE packet): it ends with "transport close". A GET that waits is answered
     * with a NOOP rather than a CLOSE (the client is gone), as the reference server does; when none waits, the one
     * that may have crossed the CLOSE on the wire gets that NOOP when it arrives.
     */
    private void onClientClose() {
        synchronized (this) {
            if (state != State.CLOSED) {
                transport.clientClosed();
            }
        }
        onClose("transport close");
    }

    /** Tells the application that the session changed transport, when it already has the session. */
    void upgraded() {
        EngineListener[] to = listeners;
        if (to != null) {
            String name = transport();
            for (EngineListener l : to) {
                try {
                    l.upgrade(name);
                } catch (RuntimeException e) {
                    LOG.errorf(e, "Engine listener failed on upgrade of session %s", id);
                }
            }
        }
        C c = connection;
        if (c == null) {
            return;
        }
        try {
            server.handler().onUpgrade(c, transport());
        } catch (RuntimeException e) {
            LOG.errorf(e, "Engine.IO handler failed on upgrade of session %s", id);
        }
    }

    /** Ends the session: at most once, from any cause. */
    void onClose(String reason) {
        Transport current;
        Transport probing;
        boolean known;
        synchronized (this) {
            if (state == State.CLOSED) {
                return;
            }
            known = lease == null || lease.sessionClosed();
            markClosed();
            current = transport;
            probing = upgrading;
            upgrading = null;
            if (BUFFER_FULL.equals(reason) || SLOW_CONSUMER.equals(reason)) {
                current.abort();
            } else {
                current.close();
            }
            if (probing != null) {
                probing.close();
            }
        }
        server.remove(this);
        caughtUp();
        server.stats().closed(reason);
        LOG.debugf("session %s closed: %s", id, reason);
        if (!known) {
            // the application never saw this session
            return;
        }
        try {
            C c = connection;
            if (c != null) {
                server.handler().onClose(c, reason);
            }
        } catch (RuntimeException e) {
            LOG.errorf(e, "Engine.IO handler failed on close of session %s", id);
        }
    }

    /** The session is closed: what it held and buffered is let go, its timers cancelled. Called with the lock held. */
    private void markClosed() {
        heldPackets.clear();
        state = State.CLOSED;
        cancelTimers();
        buffer.clear();
        bufferedBytes = 0;
        droppableBytes = 0;
        drops = null;
    }

    private void cancelTimers() {
        pingTimer = cancel(pingTimer);
        pingTimeoutTimer = cancel(pingTimeoutTimer);
        upgradeTimer = cancel(upgradeTimer);
        probeTimer = cancel(probeTimer);
        closeTimer = cancel(closeTimer);
    }

    long cancel(long timer) {
        if (timer != NO_TIMER) {
            server.vertx().cancelTimer(timer);
        }
        return NO_TIMER;
    }

    // ---- incoming packets

    /** A packet arrived on a transport of this session. */
    void onPacket(Transport from, EnginePacket packet) {
        if (from == upgradingTransport()) {
            onUpgradePacket(from, packet);
            return;
        }
        EngineListener[] to = listeners;
        if (to != null) {
            tell(to, true, packet);
        }
        switch (packet.type) {
            case MESSAGE -> {
                synchronized (this) {
                    if (state != State.OPEN) {
                        return;
                    }
                    if (!opened) {
                        heldPackets.add(packet);
                        return;
                    }
                }
                deliver(packet);
            }
            case PING -> {
                if (!eio3) {
                    onError("invalid heartbeat direction (a PING from a client of protocol 4)");
                    return;
                }
                synchronized (this) {
                    if (state != State.OPEN) {
                        return;
                    }
                    awaitClientPing();
                    buffer.add(EnginePacket.PONG);
                    flush();
                }
            }
            case PONG -> {
                if (eio3) {
                    onError("invalid heartbeat direction (a PONG from a client of protocol 3)");
                    return;
                }
                synchronized (this) {
                    if (state == State.CLOSED) {
                        return;
                    }
                    pingTimeoutTimer = cancel(pingTimeoutTimer);
                    if (pingTimer == NO_TIMER) {
                        schedulePing();
                    }
                }
            }
            case CLOSE -> onClientClose();
            case NOOP -> {
            }
            // anything else from the client is a protocol error
            default -> onError("unexpected " + packet.type + " packet from client");
        }
    }

    private void deliver(EnginePacket packet) {
        try {
            C c = connection;
            if (packet.binary != null) {
                server.handler().onBinary(c, packet.binary);
            } else {
                server.handler().onMessage(c, packet.text);
            }
        } catch (RuntimeException e) {
            LOG.errorf(e, "Engine.IO handler failed on a message of session %s", id);
        }
    }

    private synchronized Transport upgradingTransport() {
        return upgrading;
    }

    /**
     * The client sent something that breaks the protocol of a layer above: the session ends with
     * {@code "parse error"}, as the reference server does.
     */
    public void fail(String message) {
        onError(message);
    }

    /**
     * The session's remote address may not open a new session on this server for {@code duration}: its handshakes get
     * 429 meanwhile (see {@code quarkus.socketio.inbound.cooldown}). Nothing happens when its address is not tracked
     * (the limits per address off, or their table full).
     */
    public void coolDownAddress(Duration duration) {
        AddressLimits.Entry e = addressEntry;
        if (e != null) {
            server.addressLimits().coolDown(e, duration.toNanos());
        }
    }

    /**
     * Ends the session for a reason of the layer above (a limit it keeps, such as {@code rate limited}): the client is
     * told as for {@link #close()}, and the handlers see that reason.
     */
    public void closeFor(String reason) {
        onClose(reason);
    }

    /** The client sent something that breaks the protocol: the session ends with "parse error". */
    void onError(String message) {
        LOG.debugf("session %s: %s", id, message);
        onClose("parse error");
    }

    // ---- for the transports

    /** Whether {@code t} is this session's transport and the session is not closed. Called with the lock held. */
    boolean isCurrent(Transport t) {
        return state != State.CLOSED && transport == t;
    }

    /**
     * Whether the session is closing and waits for nothing but a transport to carry its CLOSE packet (no upgrade
     * under way). Called with the lock held.
     */
    boolean closingIdle() {
        return state == State.CLOSING && upgrading == null;
    }

    /** Writes what is buffered and the CLOSE packet. Called with the lock held. */
    void flushClose() {
        buffer.add(EnginePacket.CLOSE);
        flushAll();
    }

    /** A request of a request-based transport for this session (a poll or a send): its transport serves it. */
    void onRequest(HttpServerRequest request) {
        Transport t;
        synchronized (this) {
            t = transport;
        }
        t.onRequest(request);
    }

    // ---- upgrade

    /** Whether this session may start an upgrade to {@code kind} now. */
    synchronized boolean canUpgrade(TransportKind kind) {
        return state == State.OPEN && !upgraded && upgrading == null && (lease == null || !lease.upgradingElsewhere())
                && transport.kind().upgradesTo().contains(kind.name());
    }

    /** A connection for this session opened: probe it, then switch on the client's upgrade packet. */
    boolean beginUpgrade(Transport ws) {
        synchronized (this) {
            if (!canUpgrade(ws.kind())) {
                return false;
            }
            upgrading = ws;
            upgradeTimer = server.vertx().setTimer(server.options().upgradeTimeoutMs(),
                    t -> abortUpgrade(ws, "no upgrade packet within upgrade-timeout"));
            return true;
        }
    }

    /**
     * Gives up the upgrade on {@code ws} and closes it; the session goes on polling, and its client does not try again
     * on this connection (engine.io-client reports "probe error: transport closed").
     */
    private void abortUpgrade(Transport ws, String why) {
        boolean closeSession = false;
        synchronized (this) {
            if (upgrading != ws) {
                return;
            }
            LOG.debugf("upgrade of session %s abandoned: %s", id, why);
            upgrading = null;
            upgradeTimer = cancel(upgradeTimer);
            probeTimer = cancel(probeTimer);
            ws.close();
            closeSession = state == State.CLOSING;
        }
        if (closeSession) {
            onClose(closingReason);
        }
    }

    private void onUpgradePacket(Transport ws, EnginePacket packet) {
        if (packet.type == EnginePacketType.PING && "probe".equals(packet.text)) {
            synchronized (this) {
                if (upgrading != ws) {
                    return;
                }
                ws.send(EnginePacket.PROBE_PONG);
                // release the parked GET so the client can pause polling and send the upgrade packet
                releaseForUpgrade();
            }
        } else if (packet.type == EnginePacketType.UPGRADE) {
            boolean closeSession;
            synchronized (this) {
                if (upgrading != ws || state == State.CLOSED) {
                    return;
                }
                upgradeTimer = cancel(upgradeTimer);
                probeTimer = cancel(probeTimer);
                Transport old = transport;
                setTransport(ws);
                upgrading = null;
                upgraded = true;
                old.discard();
                flushAll();
                closeSession = state == State.CLOSING;
            }
            server.stats().increment(EngineFigure.UPGRADES_LOCAL);
            LOG.debugf("session %s upgraded to %s", id, ws.kind().name());
            if (closeSession) {
                onClose(closingReason);
            } else {
                upgraded();
                if (lease != null) {
                    lease.endDelay();
                }
            }
        } else {
            abortUpgrade(ws, "a " + packet.type + " packet before the upgrade packet");
        }
    }

    /**
     * Lets the transport's waiting request go at once and every 100 ms while an upgrade is probed, so that the client
     * can pause it and send the upgrade packet. Called with the lock held.
     */
    void releaseForUpgrade() {
        transport.release();
        probeTimer = cancel(probeTimer);
        probeTimer = server.vertx().setPeriodic(100, t -> {
            synchronized (this) {
                transport.release();
            }
        });
    }

    /** Stops releasing the polls for an upgrade probed elsewhere. Called with the lock held. */
    void stopReleasing() {
        probeTimer = cancel(probeTimer);
    }

    /**
     * The session moves to the server that took its upgrade: it ends here silently, and the client's packets held
     * here are returned, for that server. Called with the lock held.
     */
    List<EnginePacket> handOver() {
        List<EnginePacket> takeOver = new ArrayList<>(heldPackets);
        markClosed();
        transport.discard();
        return takeOver;
    }

    /** The session's connection is another server's, which relays it ({@code relayed}). Called with the lock held. */
    void relayTo(RelayedTransport relayed) {
        Transport old = transport;
        setTransport(relayed);
        upgraded = true;
        old.discard();
    }

    /** Whether the session has ended. Called with the lock held. */
    boolean closed() {
        return state == State.CLOSED;
    }

    /** A transport reported that its connection ended. */
    void onTransportClosed(Transport t, String reason) {
        boolean current;
        synchronized (this) {
            if (t == upgrading) {
                upgrading = null;
                upgradeTimer = cancel(upgradeTimer);
                probeTimer = cancel(probeTimer);
                return;
            }
            current = t == transport;
        }
        if (current) {
            onClose(reason);
        }
    }

    @Override
    public String toString() {
        return "EngineSession[" + id + "]";
    }
}
