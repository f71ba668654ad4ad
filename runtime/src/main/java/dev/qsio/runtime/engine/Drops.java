package dev.qsio.runtime.engine;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * The {@code drop-oldest} policy for a client that does not keep up, where a session holds packets for it (the
 * polling buffer, or what its WebSocket holds back while the connection is over its high-water mark): the packets
 * marked as droppable ({@link EnginePacket#droppable}) are kept up to a bound, past it the oldest of them go, and
 * what went is counted by group until the client caught up and is told ({@link SessionHandler#onDropped}). Used
 * under its owner's lock, or on its owner's event loop.
 */
final class Drops {

    private Map<String, Integer> counts;
    private int lastCount;

    /**
     * Removes the oldest droppable packets of {@code queue} while those left hold more than {@code keep} bytes
     * ({@code droppable} before), counting each; never the newest packet of the queue, so that a client that catches
     * up gets at least the latest. Returns the bytes removed.
     */
    long dropOldest(ArrayDeque<EnginePacket> queue, long droppable, long keep) {
        long removed = 0;
        lastCount = 0;
        EnginePacket newest = queue.peekLast();
        for (Iterator<EnginePacket> it = queue.iterator(); droppable - removed > keep && it.hasNext();) {
            EnginePacket p = it.next();
            if (p.dropGroup() != null && p != newest) {
                it.remove();
                removed += p.size();
                lastCount++;
                if (counts == null) {
                    counts = new HashMap<>(4);
                }
                counts.merge(p.dropGroup(), 1, Integer::sum);
            }
        }
        return removed;
    }

    /** How many packets the last {@link #dropOldest} removed. */
    int lastCount() {
        return lastCount;
    }

    /** Whether packets were dropped since the last {@link #take()}. */
    boolean any() {
        return counts != null;
    }

    /** The packets dropped by group since the last call, then forgotten; null when none were. */
    Map<String, Integer> take() {
        Map<String, Integer> c = counts;
        counts = null;
        return c;
    }

    /** Forgets what was counted (the session closed). */
    void clear() {
        counts = null;
    }
}
