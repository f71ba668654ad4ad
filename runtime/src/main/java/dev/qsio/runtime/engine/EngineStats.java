package dev.qsio.runtime.engine;

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

    public void increment(EngineFigure figure) {
        counters.increment(figure);
    }

    void bytesOut(long n) {
        bytesOut.add(n);
    }

    void bytesIn(long n) {
        bytesIn.add(n);
    }

    /** The counters now; {@link EngineFigure#SESSIONS} is the caller's to fill in. */
    public Counts<EngineFigure> snapshot() {
        return counters.snapshot();
    }
}
