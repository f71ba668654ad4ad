package dev.qsio.runtime.engine;

import java.util.Arrays;
import java.util.Locale;

import org.jboss.logging.Logger;

import dev.qsio.EngineListener;

/**
 * Telling the application's listeners of a session's events (Node's {@code socket.conn.on}): packets in and out,
 * drains, upgrades. A listener that throws is logged and the others are still told.
 */
final class EngineListeners {

    private static final Logger LOG = Logger.getLogger(EngineSession.class);

    private EngineListeners() {
    }

    /** The listeners {@code current} (null for none) with {@code listener} added, as a new array. */
    static EngineListener[] add(EngineListener[] current, EngineListener listener) {
        EngineListener[] next = current == null ? new EngineListener[1] : Arrays.copyOf(current, current.length + 1);
        next[next.length - 1] = listener;
        return next;
    }

    /** Tells {@code to} of a packet of session {@code id} coming in ({@code in}) or going out. */
    static void packet(EngineListener[] to, boolean in, EnginePacket packet, String id) {
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

    /** Tells {@code to} that {@code count} packets of session {@code id} go to its transport now. */
    static void flushing(EngineListener[] to, int count, String id) {
        for (EngineListener l : to) {
            try {
                l.flush(count);
            } catch (RuntimeException e) {
                LOG.errorf(e, "Engine listener failed on flush of session %s", id);
            }
        }
    }

    /** Tells {@code to} that what session {@code id} wrote went to its transport. */
    static void drained(EngineListener[] to, String id) {
        for (EngineListener l : to) {
            try {
                l.drain();
            } catch (RuntimeException e) {
                LOG.errorf(e, "Engine listener failed on drain of session %s", id);
            }
        }
    }

    /** Tells {@code to} that session {@code id} changed its transport to {@code transport}. */
    static void upgraded(EngineListener[] to, String transport, String id) {
        for (EngineListener l : to) {
            try {
                l.upgrade(transport);
            } catch (RuntimeException e) {
                LOG.errorf(e, "Engine listener failed on upgrade of session %s", id);
            }
        }
    }
}
