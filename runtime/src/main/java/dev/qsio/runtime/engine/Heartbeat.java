package dev.qsio.runtime.engine;

/**
 * The heartbeat of one session. Revision 4: the server pings every {@code ping-interval} and the session ends when the
 * pong does not come within {@code ping-timeout}. Revision 3: the client pings and the server answers; the session ends
 * when no ping came for the interval and the timeout.
 * <p>
 * Its timers are set and cancelled with the session's monitor held.
 */
final class Heartbeat {

    private static final String TIMEOUT = "ping timeout";

    private final EngineSession<?> session;
    private long pingTimer = EngineSession.NO_TIMER;
    private long timeoutTimer = EngineSession.NO_TIMER;

    Heartbeat(EngineSession<?> session) {
        this.session = session;
    }

    /** Starts the heartbeat. Called with the lock held. */
    void start() {
        if (session.eio3) {
            awaitPing();
        } else {
            schedulePing();
        }
    }

    /** A PING from the client: revision 3's heartbeat, answered; from a client of revision 4, a protocol error. */
    void onPing() {
        if (!session.eio3) {
            session.onError("invalid heartbeat direction (a PING from a client of protocol 4)");
            return;
        }
        synchronized (session) {
            if (session.isOpen()) {
                awaitPing();
                session.out.control(EnginePacket.PONG);
            }
        }
    }

    /** A PONG from the client: it answered the server's ping (revision 4), and the next one is scheduled. */
    void onPong() {
        if (session.eio3) {
            session.onError("invalid heartbeat direction (a PONG from a client of protocol 3)");
            return;
        }
        synchronized (session) {
            if (!session.closed()) {
                timeoutTimer = session.cancel(timeoutTimer);
                if (pingTimer == EngineSession.NO_TIMER) {
                    schedulePing();
                }
            }
        }
    }

    /** Stops it: the session ended. Called with the lock held. */
    void stop() {
        pingTimer = session.cancel(pingTimer);
        timeoutTimer = session.cancel(timeoutTimer);
    }

    private void awaitPing() {
        EngineOptions options = session.server.options();
        session.cancel(timeoutTimer);
        timeoutTimer = session.server.vertx().setTimer(options.pingIntervalMs() + options.pingTimeoutMs(),
                t -> session.onClose(TIMEOUT));
    }

    private void schedulePing() {
        pingTimer = session.server.vertx().setTimer(session.server.options().pingIntervalMs(), t -> {
            synchronized (session) {
                pingTimer = EngineSession.NO_TIMER;
                if (session.closed()) {
                    return;
                }
                session.out.control(EnginePacket.PING);
                timeoutTimer = session.server.vertx().setTimer(session.server.options().pingTimeoutMs(),
                        t2 -> session.onClose(TIMEOUT));
            }
        });
    }
}
