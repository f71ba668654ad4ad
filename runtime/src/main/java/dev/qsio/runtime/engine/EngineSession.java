package dev.qsio.runtime.engine;

import java.time.Duration;
import java.util.List;

import org.jboss.logging.Logger;

import dev.qsio.EngineIoSocket;
import dev.qsio.EngineListener;
import dev.qsio.HandshakeRequest;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;

/**
 * One Engine.IO session: its transport, its lifecycle, the packets its client sends, and its parts: what it holds for
 * its client ({@link SendBuffer}), its {@link Heartbeat}, an upgrade under way ({@link TransportUpgrade}) and, when
 * other servers exist, how they reach it ({@link SessionLease}).
 * <p>
 * State changes happen under the session's monitor, which its parts share; callbacks into the
 * {@link dev.qsio.EngineIoHandler} are made after it is released, so a handler may send to other sessions without
 * lock ordering concerns.
 */
public final class EngineSession<C> implements EngineIoSocket {

    private static final Logger LOG = Logger.getLogger(EngineSession.class);
    static final long NO_TIMER = -1;

    private enum State {
        OPEN,
        CLOSING,
        CLOSED
    }

    /**
     * What a server that held a polling GET of this session tells its owner when the GET's connection closed before
     * its answer: the session ends with {@code "transport error"}, as the reference server's does ("poll connection
     * closed prematurely"), unless the poll was retried elsewhere meanwhile. Servers of an earlier version said
     * {@code "transport close"}.
     */
    public static final String POLL_CLOSED = "poll closed";

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
    /** The transport, read without the monitor by broadcasts ({@link Fanout}). */
    volatile Transport current;
    /** The WebSocket broadcasts write to directly, when it is the transport (see {@link #broadcastTarget()}). */
    private volatile BroadcastTarget direct;
    /** The upgrade under way on this server, or null. Guarded by the monitor. */
    TransportUpgrade upgrading;
    private boolean upgraded;
    /** Written under the monitor; read without it by {@link #isOpen()}. */
    private volatile State state = State.OPEN;
    /** Why a session closing gracefully ({@link #close(String)}) ends, as its handlers are told. */
    private volatile String closingReason = "forced close";
    final SendBuffer<C> out = new SendBuffer<>(this);
    private final Heartbeat heartbeat = new Heartbeat(this);
    /** Lets the waiting poll go every 100 ms while an upgrade is probed, here or on another server. */
    private long releaseTimer = NO_TIMER;
    private long closeTimer = NO_TIMER;
    /** This session's own lag rule, over the process's ({@link #lag(SlowConsumers.Lag)}); null for the process's. */
    private volatile SlowConsumers.Lag lag;
    /** The application's listeners of this session's events (Node's socket.conn.on), or null: none is called. */
    private volatile EngineListener[] listeners;

    private final Inbox<C> inbox = new Inbox<>(this);
    /** What the layer above keeps for this session, once it has it. */
    private volatile C connection;
    /** The session as the other servers of a cluster reach it; null in a single process (no other server exists). */
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

    @Override
    public synchronized EngineIoSocket on(EngineListener listener) {
        listeners = EngineListeners.add(listeners, listener);
        return this;
    }

    /** The listeners, read by the write paths to tell them of what they write; null when none. */
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

    /** Whether the session is open: read with the monitor or without it (by a broadcast's write on the event loop). */
    @Override
    public boolean isOpen() {
        return state == State.OPEN;
    }

    /** Whether the session is closing gracefully. Called with the lock held. */
    boolean closing() {
        return state == State.CLOSING;
    }

    /** Whether the session has ended. Called with the lock held. */
    boolean closed() {
        return state == State.CLOSED;
    }

    // ---- sending (the write path is the SendBuffer's)

    @Override
    public void send(String text) {
        out.send(EnginePacket.message(text));
    }

    @Override
    public void send(Buffer data) {
        out.send(EnginePacket.message(data));
    }

    @Override
    public void send(String text, boolean compress) {
        out.send(compress ? EnginePacket.message(text) : EnginePacket.message(text).uncompressed());
    }

    @Override
    public void send(Buffer data, boolean compress) {
        out.send(compress ? EnginePacket.message(data) : EnginePacket.message(data).uncompressed());
    }

    /** Sends a packet, possibly shared with other sessions. */
    public void send(EnginePacket packet) {
        out.send(packet);
    }

    /** Sends several packets as one write where the transport allows (one polling response). */
    public void send(List<EnginePacket> packets) {
        out.send(packets);
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

    /** See {@link SendBuffer#takesVolatile()}. */
    public boolean takesVolatile() {
        return out.takesVolatile();
    }

    @Override
    public long bufferedBytes() {
        return out.bufferedBytes();
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

    @Override
    public boolean writable() {
        return out.writable();
    }

    @Override
    public Uni<Void> drained() {
        return Uni.createFrom().completionStage(out::whenCaughtUp);
    }

    // ---- lifecycle

    /**
     * Opens the session. With a delay (a clustered polling session), the application sees the session only after it
     * ({@link SessionLease#delay}).
     */
    void start(Transport initial, long delayMs) {
        synchronized (this) {
            setTransport(initial);
            out.control(new EnginePacket(EnginePacketType.OPEN, server.openPayload(id, initial), null));
            heartbeat.start();
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

    /**
     * Hands the session to the layer above, then the messages that arrived before it had it, in their order. A session
     * that upgraded before the layer above had it (taken over, or upgraded during its delay) is told of its upgrade in
     * between, as Node's cluster engine emits {@code upgrade} after a delayed {@code connection}: listeners that the
     * application registers as the session opens would otherwise never learn of it.
     */
    void open() {
        boolean upgradedBefore;
        synchronized (this) {
            upgradedBefore = upgraded;
        }
        connection = server.handler().onOpen(this);
        if (upgradedBefore) {
            TransportUpgrade.tellUpgraded(this);
        }
        inbox.opened();
    }

    /** A session taken over from another server: its connection is open and upgraded, the client knows its id. */
    void startAdopted(Transport ws, List<EnginePacket> clientPackets) {
        synchronized (this) {
            setTransport(ws);
            this.upgraded = true;
            heartbeat.start();
        }
        open();
        for (EnginePacket p : clientPackets) {
            onPacket(ws, p);
        }
    }

    @Override
    public void close() {
        close("forced close");
    }

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
            transport.closing();
            if (upgrading != null) {
                // wait for the upgrade to finish or fail: the client is switching transports
                scheduleCloseTimeout();
                return;
            }
            if (!transport.closesWithPacket()) {
                out.flushAll();
                closeNow = true;
            } else if (transport.writable() && out.isEmpty()) {
                flushClose();
                closeNow = true;
            } else {
                // what is queued goes first, with the waiting poll or the next one, and the close packet with the poll
                // after it, never in the same payload: the official client hands a payload's messages to the socket a
                // tick later but ends the session at its close packet at once, so that messages beside the close
                // reached the socket after its disconnect, were buffered, and were emitted again on the reconnection,
                // besides the recovered copies (LocalRecoveryIT; the reference server closes on its buffer's drain)
                out.flushAll();
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

    /** Ends the session: at most once, from any cause. */
    void onClose(String reason) {
        Transport current;
        TransportUpgrade probing;
        boolean known;
        synchronized (this) {
            if (state == State.CLOSED) {
                return;
            }
            known = lease == null || lease.sessionClosed();
            probing = upgrading;
            markClosed();
            upgrading = null;
            current = transport;
            if (BUFFER_FULL.equals(reason) || SLOW_CONSUMER.equals(reason)) {
                current.abort();
            } else {
                current.close();
            }
            if (probing != null) {
                probing.ws.close();
            }
        }
        server.remove(this);
        out.caughtUp();
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
        inbox.clear();
        state = State.CLOSED;
        heartbeat.stop();
        if (upgrading != null) {
            upgrading.cancelTimer();
        }
        releaseTimer = cancel(releaseTimer);
        closeTimer = cancel(closeTimer);
        out.clear();
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
        TransportUpgrade upgrade = upgradeOn(from);
        if (upgrade != null) {
            upgrade.onPacket(packet);
            return;
        }
        EngineListener[] to = listeners;
        if (to != null) {
            EngineListeners.packet(to, true, packet, id);
        }
        switch (packet.type) {
            case MESSAGE -> inbox.onMessage(packet);
            case PING -> heartbeat.onPing();
            case PONG -> heartbeat.onPong();
            case CLOSE -> onClientClose();
            case NOOP -> {
            }
            // anything else from the client is a protocol error
            default -> onError("unexpected " + packet.type + " packet from client");
        }
    }

    /** The upgrade under way on {@code t}, or null when {@code t} is not a connection probed for one. */
    private synchronized TransportUpgrade upgradeOn(Transport t) {
        TransportUpgrade u = upgrading;
        return u != null && u.ws == t ? u : null;
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

    /**
     * Whether a poll of a closing session is to carry the CLOSE packet now: only once nothing else waits to be sent (see
     * {@link #close(String)}). Called with the lock held.
     */
    boolean closeDue() {
        return closingIdle() && out.isEmpty();
    }

    /** Writes what is buffered and the CLOSE packet. Called with the lock held. */
    void flushClose() {
        out.control(EnginePacket.CLOSE);
        out.flushAll();
    }

    /** A request of a request-based transport for this session (a poll or a send): its transport serves it. */
    void onRequest(HttpServerRequest request) {
        Transport t;
        synchronized (this) {
            t = transport;
        }
        t.onRequest(request);
    }

    /** A transport reported that its connection ended. */
    void onTransportClosed(Transport t, String reason) {
        boolean current;
        synchronized (this) {
            if (upgrading != null && t == upgrading.ws) {
                endUpgrade();
                return;
            }
            current = t == transport;
        }
        if (current) {
            onClose(reason);
        }
    }

    // ---- upgrade (the probe is the TransportUpgrade's)

    /** Whether this session may start an upgrade to {@code kind} now. */
    synchronized boolean canUpgrade(TransportKind kind) {
        return state == State.OPEN && !upgraded && upgrading == null && (lease == null || !lease.upgradingElsewhere())
                && transport.kind().upgradesTo(kind);
    }

    /** A connection for this session opened: probe it, then switch on the client's upgrade packet. */
    boolean beginUpgrade(Transport ws) {
        synchronized (this) {
            if (!canUpgrade(ws.kind())) {
                return false;
            }
            upgrading = new TransportUpgrade(this, ws);
            return true;
        }
    }

    /** The upgrade on this server is no longer under way. Called with the lock held. */
    void endUpgrade() {
        upgrading.cancelTimer();
        upgrading = null;
        releaseTimer = cancel(releaseTimer);
    }

    /** The client's upgrade packet came: the probed connection is the transport from now on. Called with the lock held. */
    void upgradedTo(TransportUpgrade upgrade) {
        endUpgrade();
        replaceTransport(upgrade.ws);
        out.flushAll();
    }

    /**
     * Lets the transport's waiting request go at once and every 100 ms while an upgrade is probed, so that the client
     * can pause it and send the upgrade packet. Called with the lock held.
     */
    void releaseForUpgrade() {
        transport.release();
        releaseTimer = cancel(releaseTimer);
        releaseTimer = server.vertx().setPeriodic(100, t -> {
            synchronized (this) {
                transport.release();
            }
        });
    }

    /** Stops releasing the polls for an upgrade probed elsewhere. Called with the lock held. */
    void stopReleasing() {
        releaseTimer = cancel(releaseTimer);
    }

    /**
     * The session moves to the server that took its upgrade: it ends here silently, and the client's packets held
     * here are returned, for that server. Called with the lock held.
     */
    List<EnginePacket> handOver() {
        List<EnginePacket> takeOver = inbox.take();
        markClosed();
        transport.discard();
        return takeOver;
    }

    /** The session's connection is another server's, which relays it ({@code relayed}). Called with the lock held. */
    void relayTo(RelayedTransport relayed) {
        replaceTransport(relayed);
    }

    /** The session goes on over {@code t}, upgraded; the transport it leaves is let go. Called with the lock held. */
    private void replaceTransport(Transport t) {
        Transport old = transport;
        setTransport(t);
        upgraded = true;
        old.discard();
    }

    @Override
    public String toString() {
        return "EngineSession[" + id + "]";
    }
}
