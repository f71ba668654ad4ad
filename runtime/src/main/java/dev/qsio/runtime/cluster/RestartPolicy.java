package dev.qsio.runtime.cluster;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.DoubleSupplier;

/**
 * When a crashed worker is restarted, and when it is given up on (after bungate's ClusterManager and PM2):
 * <ul>
 * <li>never, if restarts are off;</li>
 * <li>not after {@code maxRestarts} restarts over the worker's life;</li>
 * <li>not when this would be more than {@code respawnThreshold} restarts within {@code respawnThresholdTime};</li>
 * <li>otherwise after {@code restartDelay × 2^(n-1)}, n being the restarts in the current window, capped at
 * {@code restartDelayMax}, with ±10% jitter so that workers that crashed together do not restart together.</li>
 * </ul>
 * A worker that ran out of memory after it was ready is the exception to the two limits: it is always restarted, with
 * the same backoff, and its restarts do not count toward {@code maxRestarts}. Such an exit is caused by what the
 * worker was given to do (its clients' input, its load), not by a build or a configuration that cannot start, so
 * giving up on it would let whoever causes it empty a host for good; the backoff slows the repetition instead.
 * One instance per worker id; not thread-safe (the supervisor calls it from one thread at a time).
 */
public final class RestartPolicy {

    /** The outcome for one crash. */
    public record Decision(boolean restart, Duration delay, String reason) {

        static Decision restartAfter(Duration delay) {
            return new Decision(true, delay, null);
        }

        static Decision giveUp(String reason) {
            return new Decision(false, Duration.ZERO, reason);
        }
    }

    private final boolean enabled;
    private final int maxRestarts;
    private final Duration baseDelay;
    private final Duration maxDelay;
    private final int threshold;
    private final Duration window;
    private final DoubleSupplier random;
    private final Deque<Long> recent = new ArrayDeque<>();
    private int total;
    private int outOfMemory;

    public RestartPolicy(boolean enabled, int maxRestarts, Duration baseDelay, Duration maxDelay, int threshold,
            Duration window, DoubleSupplier random) {
        this.enabled = enabled;
        this.maxRestarts = maxRestarts;
        this.baseDelay = baseDelay;
        this.maxDelay = maxDelay;
        this.threshold = threshold;
        this.window = window;
        this.random = random;
    }

    /** A crash at {@code nowNanos} (monotonic): restart, and after how long, or give up. */
    public Decision onCrash(long nowNanos) {
        return onCrash(nowNanos, false);
    }

    /**
     * A crash at {@code nowNanos} (monotonic), {@code outOfMemoryWhileServing} when the worker exited out of memory
     * after it was ready: restart, and after how long, or give up.
     */
    public Decision onCrash(long nowNanos, boolean outOfMemoryWhileServing) {
        if (!enabled) {
            return Decision.giveUp("restarts are disabled (quarkus.socketio.cluster.restart-workers=false)");
        }
        while (!recent.isEmpty() && nowNanos - recent.peekFirst() > window.toNanos()) {
            recent.pollFirst();
        }
        if (outOfMemoryWhileServing) {
            outOfMemory++;
            return restartAfterBackoff(nowNanos);
        }
        if (total >= maxRestarts) {
            return Decision.giveUp("it was restarted " + total + " times (quarkus.socketio.cluster.max-restarts="
                    + maxRestarts + ")");
        }
        if (recent.size() >= threshold) {
            return Decision.giveUp("it crashed " + (recent.size() + 1) + " times within " + window.toSeconds()
                    + " s (quarkus.socketio.cluster.respawn-threshold=" + threshold + ")");
        }
        total++;
        return restartAfterBackoff(nowNanos);
    }

    private Decision restartAfterBackoff(long nowNanos) {
        recent.addLast(nowNanos);
        double factor = Math.pow(2, recent.size() - 1);
        long delay = (long) Math.min(baseDelay.toMillis() * factor, maxDelay.toMillis());
        long jitter = (long) (delay * 0.1 * (random.getAsDouble() * 2 - 1));
        return Decision.restartAfter(Duration.ofMillis(Math.max(0, delay + jitter)));
    }

    /** Restarts over the worker's life, those after running out of memory included. */
    public int restarts() {
        return total + outOfMemory;
    }
}
