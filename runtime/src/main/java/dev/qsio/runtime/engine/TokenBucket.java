package dev.qsio.runtime.engine;

/**
 * A token bucket: it holds at most {@code burst} tokens, gains {@code perSecond} a second, and a use takes some. The
 * one rate limit of the library (handshakes per address, what a client sends). Not thread-safe: its owner guards it.
 * Times are {@link System#nanoTime()} readings.
 */
public final class TokenBucket {

    private static final double NANOS = 1e9;

    private final double perSecond;
    private final double burst;
    private double tokens;
    private long refilledAt;

    /** A full bucket at {@code now}. */
    public TokenBucket(double perSecond, double burst, long now) {
        this.perSecond = perSecond;
        this.burst = burst;
        this.tokens = burst;
        this.refilledAt = now;
    }

    private void refill(long now) {
        long elapsed = now - refilledAt;
        if (elapsed > 0) {
            tokens = Math.min(burst, tokens + elapsed * perSecond / NANOS);
            refilledAt = now;
        }
    }

    /** Takes {@code n} tokens if the bucket holds them; whether it did. */
    public boolean take(double n, long now) {
        refill(now);
        if (tokens < n) {
            return false;
        }
        tokens -= n;
        return true;
    }

    /** Takes {@code n} tokens whatever it holds, into debt if need be (a use that already happened). */
    public void charge(double n, long now) {
        refill(now);
        tokens -= n;
    }

    /** Whether the bucket is not in debt. */
    public boolean inCredit(long now) {
        refill(now);
        return tokens >= 0;
    }

    /** Whether the bucket is full again: it says nothing of its past uses. */
    public boolean full(long now) {
        refill(now);
        return tokens >= burst;
    }

    /** The seconds until it holds {@code n} tokens, rounded up; 0 when it does. */
    public int secondsUntil(double n, long now) {
        refill(now);
        return tokens >= n ? 0 : (int) Math.ceil((n - tokens) / perSecond);
    }
}
