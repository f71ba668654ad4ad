package dev.qsio.runtime.server;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Waits for the JIT compiler to finish what the warm-up gave it. The warm-up's sessions end long before their code is
 * compiled: on the benchmark's application (Temurin 25 with its AOT cache, two CPUs), about 570 methods were still
 * waiting for the optimizing compiler when the process started to listen, and they were compiled over the next 17 s,
 * during the first two ramps of 10,000 clients, where the compiler took 42% of the second ramp's CPU
 * ({@code bench/runs/20261201-jit-queue}).
 * <p>
 * The JVM tells no queue length through a standard interface; it does tell the time its compilers spent in all
 * ({@link CompilationMXBean#getTotalCompilationTime}). While methods wait, a compiler thread compiles without pause and
 * that time grows by about as much as the wall clock; once they are done it grows by little. The queue counts as empty
 * once that time grew by at most a tenth of the wall clock over the last {@link #WINDOW_MS}.
 */
final class CompilerQueue {

    /** The window over which the compilers' time is compared with the wall clock. */
    static final long WINDOW_MS = 1000;
    /** How often the compilers' time is read. */
    static final long STEP_MS = 100;
    /** The share of the window the compilers may still spend once their queue counts as empty. */
    static final double QUIET_SHARE = 0.1;

    /** What a wait found: how long it took and whether the compilers went quiet before its bound. */
    record Wait(long millis, boolean quiet) {
    }

    private final LongSupplier compilerMillis;
    private final LongSupplier nanoTime;
    private final Sleeper sleeper;

    @FunctionalInterface
    interface Sleeper {
        void sleep(long millis) throws InterruptedException;
    }

    CompilerQueue(LongSupplier compilerMillis, LongSupplier nanoTime, Sleeper sleeper) {
        this.compilerMillis = compilerMillis;
        this.nanoTime = nanoTime;
        this.sleeper = sleeper;
    }

    /** This JVM's compilers, or null where it has none or does not tell their time (then there is nothing to wait for). */
    static CompilerQueue ofThisJvm() {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        if (jit == null || !jit.isCompilationTimeMonitoringSupported()) {
            return null;
        }
        return new CompilerQueue(jit::getTotalCompilationTime, System::nanoTime, Thread::sleep);
    }

    /**
     * Waits until the compilers go quiet, at most {@code boundMillis}: a bound of 0 or less returns at once, not
     * quiet.
     */
    Wait await(long boundMillis) throws InterruptedException {
        long start = nanoTime.getAsLong();
        if (boundMillis <= 0) {
            return new Wait(0, false);
        }
        long deadline = start + TimeUnit.MILLISECONDS.toNanos(boundMillis);
        int slots = (int) (WINDOW_MS / STEP_MS);
        // the compilers' time at each of the last readings, one a step, oldest first once the ring is full
        long[] ring = new long[slots + 1];
        int readings = 0;
        while (true) {
            ring[readings % ring.length] = compilerMillis.getAsLong();
            readings++;
            if (readings > slots) {
                long now = ring[(readings - 1) % ring.length];
                long windowAgo = ring[readings % ring.length];
                if (now - windowAgo <= WINDOW_MS * QUIET_SHARE) {
                    return new Wait(elapsedMillis(start), true);
                }
            }
            long left = deadline - nanoTime.getAsLong();
            if (left <= 0) {
                return new Wait(elapsedMillis(start), false);
            }
            sleeper.sleep(Math.min(STEP_MS, Math.max(1, TimeUnit.NANOSECONDS.toMillis(left))));
        }
    }

    private long elapsedMillis(long start) {
        return TimeUnit.NANOSECONDS.toMillis(nanoTime.getAsLong() - start);
    }
}
