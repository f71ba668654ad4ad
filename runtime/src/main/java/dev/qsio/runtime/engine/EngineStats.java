package dev.qsio.runtime.engine;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

import dev.qsio.runtime.figures.Counters;
import dev.qsio.runtime.figures.Counts;

/**
 * The counters of one engine endpoint ({@link EngineFigure}), read through {@link #snapshot()}.
 */
public final class EngineStats {

    private final Counters<EngineFigure> counters = new Counters<>(EngineFigure.class);
    /** Counted on every write and read: kept at hand. */
    private final LongAdder bytesIn = counters.adder(EngineFigure.BYTES_IN);
    private final LongAdder bytesOut = counters.adder(EngineFigure.BYTES_OUT);

    /** Sessions ended, by reason ("transport close", "ping timeout", ...): a handful of keys. */
    private final Map<String, LongAdder> closes = new ConcurrentHashMap<>();

    void closed(String reason) {
        closes.computeIfAbsent(reason, r -> new LongAdder()).increment();
    }

    public void increment(EngineFigure figure) {
        counters.increment(figure);
    }

    void add(EngineFigure figure, long n) {
        counters.add(figure, n);
    }

    void bytesOut(long n) {
        bytesOut.add(n);
    }

    void bytesIn(long n) {
        bytesIn.add(n);
    }

    /** The sessions ended so far, by reason. */
    public Map<String, Long> closesByReason() {
        Map<String, Long> counts = new TreeMap<>();
        closes.forEach((reason, count) -> counts.put(reason, count.sum()));
        return counts;
    }

    /** The counters now; {@link EngineFigure#SESSIONS} is the caller's to fill in. */
    public Counts<EngineFigure> snapshot() {
        return counters.snapshot();
    }
}
