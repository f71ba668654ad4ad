package dev.qsio.runtime.figures;

import java.util.concurrent.atomic.LongAdder;

/**
 * The live counters of one group of figures, one {@link LongAdder} for each constant of {@code F}, updated from any
 * thread.
 */
public final class Counters<F extends Enum<F> & Figure> {

    private final Class<F> figures;
    private final LongAdder[] adders;

    public Counters(Class<F> figures) {
        this.figures = figures;
        this.adders = new LongAdder[figures.getEnumConstants().length];
        for (int i = 0; i < adders.length; i++) {
            adders[i] = new LongAdder();
        }
    }

    public void increment(F figure) {
        adders[figure.ordinal()].increment();
    }

    public void add(F figure, long n) {
        adders[figure.ordinal()].add(n);
    }

    /** The adder of one figure, for code that counts it often. */
    public LongAdder adder(F figure) {
        return adders[figure.ordinal()];
    }

    public long sum(F figure) {
        return adders[figure.ordinal()].sum();
    }

    /** What the counters hold now. */
    public Counts<F> snapshot() {
        long[] values = new long[adders.length];
        for (int i = 0; i < values.length; i++) {
            values[i] = adders[i].sum();
        }
        return new Counts<>(figures, values);
    }
}
