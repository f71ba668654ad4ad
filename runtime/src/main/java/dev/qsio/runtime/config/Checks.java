package dev.qsio.runtime.config;

import java.time.Duration;
import java.util.Set;

import io.quarkus.runtime.configuration.ConfigurationException;

/**
 * The checks a setting's value passes at startup, each failing with a {@link ConfigurationException} that names the
 * key and says what it accepts. Timers count in milliseconds: a duration under one millisecond would become a timer
 * of 0 ms, so a positive duration means at least 1 ms.
 */
public final class Checks {

    private Checks() {
    }

    /** A duration of at least 1 ms; returns it in milliseconds. */
    public static long positive(String key, Duration value) {
        if (value.isNegative() || value.toMillis() < 1) {
            throw new ConfigurationException(key + " must be a positive duration (at least 1 ms), got " + value, Set.of(key));
        }
        return value.toMillis();
    }

    /** 0 (off) or a duration of at least 1 ms; returns it in milliseconds. */
    public static long offOrPositive(String key, Duration value) {
        if (value.isZero()) {
            return 0;
        }
        if (value.isNegative() || value.toMillis() < 1) {
            throw new ConfigurationException(key + " must be 0 (off) or a duration of at least 1 ms, got " + value,
                    Set.of(key));
        }
        return value.toMillis();
    }

    /** A whole number within {@code [min, max]}. */
    public static long within(String key, long value, long min, long max) {
        if (value < min || value > max) {
            throw new ConfigurationException(key + " must be " + (max == Long.MAX_VALUE || max == Integer.MAX_VALUE
                    ? "at least " + min
                    : "from " + min + " to " + max) + ", got " + value, Set.of(key));
        }
        return value;
    }
}
