package dev.qsio.runtime.server;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import org.jboss.logging.Logger;

/**
 * Logs the failures of application handlers so that a client cannot flood the log: the first failure of each kind
 * (exception type and the frame it was thrown from) is logged with its stack trace, later ones of that kind as one
 * line per interval with how many there were, without a stack trace. Every failure is counted
 * ({@code socketio_handler_failures_total}).
 */
final class HandlerFailures {

    private static final Logger LOG = Logger.getLogger(SocketImpl.class);
    /** At most one summary line per this interval. */
    static final long INTERVAL_NANOS = 10_000_000_000L;
    /** Kinds remembered; past it every failure is summarised (a bounded memory whatever clients provoke). */
    static final int MAX_KINDS = 256;

    private final Set<String> kindsSeen = ConcurrentHashMap.newKeySet();
    private final LongAdder total;
    private final AtomicLong suppressed = new AtomicLong();
    private final AtomicLong lastSummary = new AtomicLong(System.nanoTime() - INTERVAL_NANOS);

    HandlerFailures(LongAdder total) {
        this.total = total;
    }

    /** One handler failure, {@code where} saying in which namespace and socket. */
    void report(Throwable failure, String where) {
        total.increment();
        if (kindsSeen.size() < MAX_KINDS && kindsSeen.add(kind(failure))) {
            LOG.errorf(failure, "Socket.IO handler failed %s (later failures of this kind are counted and logged "
                    + "without a stack trace)", where);
            return;
        }
        long count = suppressed.incrementAndGet();
        long now = System.nanoTime();
        long last = lastSummary.get();
        if (now - last >= INTERVAL_NANOS && lastSummary.compareAndSet(last, now)) {
            long n = suppressed.getAndSet(0);
            LOG.errorf("Socket.IO handler failures of a kind already logged: %d since the last such line (at most one "
                    + "every %d s; socketio_handler_failures_total counts them all); the latest %s: %s", n > 0 ? n : count,
                    INTERVAL_NANOS / 1_000_000_000L, where, failure);
        }
    }

    private static String kind(Throwable failure) {
        StackTraceElement[] trace = failure.getStackTrace();
        return failure.getClass().getName() + (trace.length == 0 ? "" : " at " + trace[0]);
    }
}
