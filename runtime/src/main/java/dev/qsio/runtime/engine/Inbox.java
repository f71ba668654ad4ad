package dev.qsio.runtime.engine;

import java.util.ArrayList;
import java.util.List;

import org.jboss.logging.Logger;

/**
 * Hands a session's messages from its client to the layer above, in their order. Until that layer has the session
 * and every message that arrived before it did, the client's messages wait here: during the delayed start of a
 * clustered session ({@link SessionLease}), and while {@code onOpen} runs, since a message may arrive on another
 * thread meanwhile (a POST on another event loop, a packet forwarded by another server).
 * <p>
 * Its state is guarded by the session's monitor; the layer above is called with it released.
 */
final class Inbox<C> {

    private static final Logger LOG = Logger.getLogger(EngineSession.class);

    private final EngineSession<C> session;
    /** Whether the layer above has the session and every message that arrived before it did. */
    private boolean opened;
    /** What arrived before, in order; null when nothing did. */
    private List<EnginePacket> held;

    Inbox(EngineSession<C> session) {
        this.session = session;
    }

    /** A message from the client: to the layer above now, or after what waits before it. */
    void onMessage(EnginePacket packet) {
        synchronized (session) {
            if (!session.isOpen()) {
                return;
            }
            if (!opened) {
                if (held == null) {
                    held = new ArrayList<>(2);
                }
                held.add(packet);
                return;
            }
        }
        deliver(packet);
    }

    /** The layer above has the session: the messages that arrived before go to it, then the next ones at once. */
    void opened() {
        while (true) {
            List<EnginePacket> waiting;
            synchronized (session) {
                if (held == null || held.isEmpty()) {
                    opened = true;
                    return;
                }
                waiting = held;
                held = null;
            }
            for (EnginePacket p : waiting) {
                deliver(p);
            }
        }
    }

    /** What waits, taken away (for the server that takes the session over); never null. Called with the lock held. */
    List<EnginePacket> take() {
        List<EnginePacket> waiting = held == null ? new ArrayList<>() : held;
        held = null;
        return waiting;
    }

    /** Lets what waits go: the session ended. Called with the lock held. */
    void clear() {
        held = null;
    }

    private void deliver(EnginePacket packet) {
        try {
            C c = session.connection();
            if (packet.binary != null) {
                session.server.handler().onBinary(c, packet.binary);
            } else {
                session.server.handler().onMessage(c, packet.text);
            }
        } catch (RuntimeException e) {
            LOG.errorf(e, "Engine.IO handler failed on a message of session %s", session.id());
        }
    }
}
