package dev.qsio.runtime.engine;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of one engine endpoint, read by health and metrics.
 */
public final class EngineStats {

    final LongAdder handshakesAccepted = new LongAdder();
    final LongAdder handshakesRefused = new LongAdder();
    final LongAdder bytesIn = new LongAdder();
    final LongAdder bytesOut = new LongAdder();
    /** Polling requests this server served for sessions owned by another server. */
    final LongAdder forwardedRequests = new LongAdder();
    /** Requests whose connection this server gave to the server of this host that owns their session. */
    final LongAdder connectionsHandedOff = new LongAdder();
    /** Upgrades completed on the server that owns the session. */
    final LongAdder upgradesLocal = new LongAdder();
    /** Upgrades received here for a session of another server, which handed the session over. */
    final LongAdder upgradesTakenOver = new LongAdder();
    /** Upgrades received here for a session that stays with another server: its frames are relayed. */
    final LongAdder upgradesForwarded = new LongAdder();
    /** Sessions closed because their client did not read what it was sent (max-buffered-bytes). */
    final LongAdder bufferOverflows = new LongAdder();

    /** Sessions ended, by reason ("transport close", "ping timeout", ...): a handful of keys. */
    private final Map<String, LongAdder> closes = new ConcurrentHashMap<>();

    void closed(String reason) {
        closes.computeIfAbsent(reason, r -> new LongAdder()).increment();
    }

    void bytesOut(int n) {
        bytesOut.add(n);
    }

    void bytesIn(int n) {
        bytesIn.add(n);
    }

    /** The sessions ended so far, by reason. */
    public Map<String, Long> closesByReason() {
        Map<String, Long> counts = new TreeMap<>();
        closes.forEach((reason, count) -> counts.put(reason, count.sum()));
        return counts;
    }

    public long handshakesAccepted() {
        return handshakesAccepted.sum();
    }

    public long handshakesRefused() {
        return handshakesRefused.sum();
    }

    public long bytesIn() {
        return bytesIn.sum();
    }

    public long bytesOut() {
        return bytesOut.sum();
    }

    public long forwardedRequests() {
        return forwardedRequests.sum();
    }

    public long connectionsHandedOff() {
        return connectionsHandedOff.sum();
    }

    public long upgradesLocal() {
        return upgradesLocal.sum();
    }

    public long upgradesTakenOver() {
        return upgradesTakenOver.sum();
    }

    public long bufferOverflows() {
        return bufferOverflows.sum();
    }

    public long upgradesForwarded() {
        return upgradesForwarded.sum();
    }
}
