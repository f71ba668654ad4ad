package dev.qsio.runtime.engine;

import org.jboss.logging.Logger;

import dev.qsio.EngineListener;

/**
 * An upgrade of a session's transport under way on this server (polling to WebSocket): the connection probed, and the
 * {@code upgrade-timeout} within which the client's upgrade packet must come on it. Made when the connection opens
 * ({@link EngineSession#beginUpgrade}); the session drops it when the upgrade is done or given up.
 * <p>
 * The client pings the connection with {@code "probe"} and is answered; the session then lets its waiting poll go
 * (again every 100 ms) so that the client can pause polling; the client's upgrade packet then makes the connection the
 * session's transport. Anything else on the connection first gives the upgrade up.
 */
final class TransportUpgrade {

    private static final Logger LOG = Logger.getLogger(EngineSession.class);

    /** The connection probed. */
    final Transport ws;
    private final EngineSession<?> session;
    private long timer;

    /** Called with the session's lock held. */
    TransportUpgrade(EngineSession<?> session, Transport ws) {
        this.session = session;
        this.ws = ws;
        this.timer = session.server.vertx().setTimer(session.server.options().upgradeTimeoutMs(),
                t -> abort("no upgrade packet within upgrade-timeout"));
    }

    /** A packet came on the probed connection. */
    void onPacket(EnginePacket packet) {
        if (packet.type == EnginePacketType.PING && "probe".equals(packet.text)) {
            synchronized (session) {
                if (session.upgrading != this) {
                    return;
                }
                ws.send(EnginePacket.PROBE_PONG);
                // release the parked GET so the client can pause polling and send the upgrade packet
                session.releaseForUpgrade();
            }
        } else if (packet.type == EnginePacketType.UPGRADE) {
            boolean closeSession;
            synchronized (session) {
                if (session.upgrading != this || session.closed()) {
                    return;
                }
                session.upgradedTo(this);
                closeSession = session.closing();
            }
            session.server.stats().increment(EngineFigure.UPGRADES_LOCAL);
            LOG.debugf("session %s upgraded to %s", session.id(), ws.kind().name());
            if (closeSession) {
                session.onClose(session.closingReason());
            } else {
                tellUpgraded(session);
                if (session.lease() != null) {
                    session.lease().endDelay();
                }
            }
        } else {
            abort("a " + packet.type + " packet before the upgrade packet");
        }
    }

    /**
     * Gives the upgrade up and closes the connection; the session goes on polling, and its client does not try again
     * on this connection (engine.io-client reports "probe error: transport closed").
     */
    void abort(String why) {
        boolean closeSession;
        synchronized (session) {
            if (session.upgrading != this) {
                return;
            }
            LOG.debugf("upgrade of session %s abandoned: %s", session.id(), why);
            session.endUpgrade();
            ws.close();
            closeSession = session.closing();
        }
        if (closeSession) {
            session.onClose(session.closingReason());
        }
    }

    /** Stops waiting for the upgrade packet. Called with the session's lock held. */
    void cancelTimer() {
        timer = session.cancel(timer);
    }

    /**
     * Tells the application's listeners and the layer above that {@code session} changed transport (here, or on the
     * server that took its connection), when the layer above already has it.
     */
    static <C> void tellUpgraded(EngineSession<C> session) {
        EngineListener[] to = session.listeners();
        if (to != null) {
            EngineListeners.upgraded(to, session.transport(), session.id());
        }
        C c = session.connection();
        if (c == null) {
            return;
        }
        try {
            session.server.handler().onUpgrade(c, session.transport());
        } catch (RuntimeException e) {
            LOG.errorf(e, "Engine.IO handler failed on upgrade of session %s", session.id());
        }
    }
}
