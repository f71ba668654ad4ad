package dev.qsio.runtime.engine;

import java.util.List;

import org.jboss.logging.Logger;

/**
 * A session as the other servers of a cluster reach it (after {@code @socket.io/cluster-engine}): the requests of its
 * client that another server serves for it (a poll parked there, a send forwarded, the upgrade to a connection that
 * server probes), and the delayed start that lets such an upgrade take the session over before the application has
 * it. A session holds one only when other servers exist ({@link EngineServer#clustered()}); in a single process it
 * has none, and none of this happens.
 * <p>
 * The cross-server engine (package {@code remote}) calls the public methods. The lease's state is the session's: it is
 * guarded by the session's monitor, and the session's handlers are called after it is released, as the session does.
 */
public final class SessionLease {

    /** Logs as the session does: one category for a session's story. */
    private static final Logger LOG = Logger.getLogger(EngineSession.class);

    private final EngineSession<?> session;

    /** A new polling session is handed to the application only after a short delay ({@link #delay}). */
    private boolean delayed;
    /** The delay was extended once, for an upgrade probed elsewhere when it ended. */
    private boolean delayExtended;
    private long delayTimer = EngineSession.NO_TIMER;
    /** The server that probes a connection for this session's upgrade ({@link #upgradeElsewhereStarted}), or null. */
    private String upgradingElsewhere;
    /** The transport that server probes. */
    private TransportKind upgradingElsewhereTo;

    SessionLease(EngineSession<?> session) {
        this.session = session;
    }

    // ---- the delayed start

    /**
     * The application sees the session only after {@code delayMs}, or after a local upgrade: a WebSocket upgrade that
     * lands on another server within the delay takes the session over there, so that its frames take no extra hop.
     * Called with the lock held, as the session starts.
     */
    void delay(long delayMs) {
        delayed = true;
        delayTimer = session.server.vertx().setTimer(delayMs, t -> onDelayElapsed());
    }

    /**
     * The delay is over. If another server is probing a connection for this session right now, the session waits for
     * that upgrade (once, at most the upgrade timeout) so that it can still take the session over.
     */
    private void onDelayElapsed() {
        synchronized (session) {
            if (delayed && upgradingElsewhere != null && !delayExtended) {
                delayExtended = true;
                delayTimer = session.server.vertx().setTimer(session.server.options().upgradeTimeoutMs(),
                        t -> endDelay());
                return;
            }
        }
        endDelay();
    }

    /** Ends the delay, if any: the application gets the session and the messages that arrived meanwhile. */
    void endDelay() {
        synchronized (session) {
            if (!delayed || session.closed()) {
                return;
            }
            delayed = false;
            delayTimer = session.cancel(delayTimer);
        }
        session.open();
    }

    /**
     * The session ends: the delay, if any, with it. Returns whether the application had been given the session (no
     * delay was under way). Called with the lock held.
     */
    boolean sessionClosed() {
        boolean known = !delayed;
        delayed = false;
        delayTimer = session.cancel(delayTimer);
        return known;
    }

    /** Whether another server probes a connection for this session's upgrade. Called with the lock held. */
    boolean upgradingElsewhere() {
        return upgradingElsewhere != null;
    }

    // ---- as other servers reach the session (through their Relays)

    /**
     * Whether another server may serve a request of this session that its client sent there: a request of
     * {@code kind} ({@code read}: a poll, with its tag), or the upgrade to a connection of {@code kind}.
     */
    public boolean lendable(TransportKind kind, boolean read, String tag) {
        synchronized (session) {
            if (!session.isOpen()) {
                return false;
            }
            return kind.requestBased() ? session.currentTransport().lends(read, tag) : session.canUpgrade(kind);
        }
    }

    /** Another server holds a poll of this session: the next packets go there, through {@code reader}. */
    public void readElsewhere(Relay reader, String tag) {
        synchronized (session) {
            session.currentTransport().readElsewhere(reader, tag);
        }
    }

    /**
     * Server {@code holder} probes a connection of {@code kind} for this session's upgrade: the polls are released so
     * that the client can upgrade.
     */
    public void upgradeElsewhereStarted(String holder, TransportKind kind) {
        synchronized (session) {
            upgradingElsewhere = holder;
            upgradingElsewhereTo = kind;
            session.releaseForUpgrade();
        }
    }

    /**
     * The upgrade on server {@code holder} ended. When it succeeded and the application has not seen the session yet,
     * the session moves there: returned are the client's packets held here, and the session ends here silently. When
     * the application already has it, the session stays and writes through {@code relay}. Null unless taken over.
     */
    public List<EnginePacket> upgradeElsewhereDone(String holder, boolean success, Relay relay) {
        boolean connect = false;
        List<EnginePacket> takeOver = null;
        synchronized (session) {
            if (!holder.equals(upgradingElsewhere) || session.closed()) {
                return null;
            }
            TransportKind kind = upgradingElsewhereTo;
            upgradingElsewhere = null;
            upgradingElsewhereTo = null;
            session.stopReleasing();
            if (!success) {
                connect = delayed;
            } else if (delayed) {
                delayed = false;
                delayTimer = session.cancel(delayTimer);
                takeOver = session.handOver();
            } else {
                // writable only once the upgrading server is answered (flushAfterUpgrade): a packet written between
                // here and the answer would reach it before it relays the WebSocket, and be lost
                session.relayTo(new RelayedTransport(session, kind, relay));
            }
        }
        if (takeOver != null) {
            session.server.remove(session);
            LOG.debugf("session %s taken over by %s", session.id(), holder);
        } else if (connect) {
            endDelay();
        } else if (success) {
            TransportUpgrade.tellUpgraded(session);
        }
        return takeOver;
    }

    /**
     * The server that completed the upgrade has been sent the answer that it relays: the relayed transport carries
     * packets from here on, first those that waited.
     */
    public void flushAfterUpgrade() {
        synchronized (session) {
            if (session.currentTransport() instanceof RelayedTransport relayed) {
                relayed.ready();
            }
            if (!session.closed()) {
                session.out.flushAll();
            }
        }
    }

    /** A packet the client sent through another server. */
    public void receive(EnginePacket packet) {
        Transport current;
        synchronized (session) {
            current = session.currentTransport();
        }
        session.onPacket(current, packet);
    }

    /** Server {@code holder} is gone: if this session's connection was there, the session is over. */
    public void holderGone(String holder) {
        boolean lost;
        synchronized (session) {
            if (holder.equals(upgradingElsewhere)) {
                upgradingElsewhere = null;
                upgradingElsewhereTo = null;
                session.stopReleasing();
            }
            lost = session.currentTransport().holderGone(holder);
        }
        if (lost) {
            session.onClose("transport close");
        }
    }

    /**
     * The connection server {@code holder} held for this session closed, or a request it forwarded failed: the
     * session ends with {@code reason}, unless that connection was no longer this session's (a poll retried
     * elsewhere).
     */
    public void endedElsewhere(String holder, String reason) {
        synchronized (session) {
            if (session.currentTransport().outlived(holder, reason)) {
                return;
            }
        }
        session.onClose(EngineSession.POLL_CLOSED.equals(reason) ? "transport error" : reason);
    }
}
