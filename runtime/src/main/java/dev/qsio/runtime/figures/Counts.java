package dev.qsio.runtime.figures;

import java.util.Arrays;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The values of one group of figures at one moment, one for each constant of {@code F}: read with {@link #get}, and
 * written to (and read from) JSON under each figure's {@link Figure#key()}.
 */
public final class Counts<F extends Enum<F> & Figure> {

    private final Class<F> figures;
    private final long[] values;

    Counts(Class<F> figures, long[] values) {
        this.figures = figures;
        this.values = values;
    }

    /** All zero. */
    public static <F extends Enum<F> & Figure> Counts<F> zero(Class<F> figures) {
        return new Counts<>(figures, new long[figures.getEnumConstants().length]);
    }

    public long get(F figure) {
        return values[figure.ordinal()];
    }

    /** The same values with one replaced. */
    public Counts<F> with(F figure, long value) {
        long[] copy = values.clone();
        copy[figure.ordinal()] = value;
        return new Counts<>(figures, copy);
    }

    /** The sum of these values and another group's of the same figures. */
    public Counts<F> plus(Counts<F> other) {
        long[] sum = values.clone();
        for (int i = 0; i < sum.length; i++) {
            sum[i] += other.values[i];
        }
        return new Counts<>(figures, sum);
    }

    /** Writes each figure under its key. */
    public ObjectNode writeTo(ObjectNode json) {
        for (F f : figures.getEnumConstants()) {
            json.put(f.key(), values[f.ordinal()]);
        }
        return json;
    }

    /** Reads each figure from its key; a figure that is missing (an older server's report) reads 0. */
    public static <F extends Enum<F> & Figure> Counts<F> readFrom(Class<F> figures, JsonNode json) {
        F[] all = figures.getEnumConstants();
        long[] values = new long[all.length];
        for (F f : all) {
            values[f.ordinal()] = json.path(f.key()).asLong(0);
        }
        return new Counts<>(figures, values);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Counts<?> c && c.figures == figures && Arrays.equals(c.values, values);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(values);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("{");
        for (F f : figures.getEnumConstants()) {
            sb.append(sb.length() > 1 ? ", " : "").append(f.key()).append('=').append(values[f.ordinal()]);
        }
        return sb.append('}').toString();
    }
}
