package dev.qsio.bench;

import java.util.concurrent.atomic.LongAdder;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Where measured deliveries go: a count and a latency histogram in microseconds, written by the generator's event
 * loops at once (the recorder is wait-free for writers) and read between measurement windows.
 */
final class Sink {

    private static final long MAX_MICROS = 120_000_000L;

    private final Recorder recorder = new Recorder(MAX_MICROS, 3);
    private final LongAdder count = new LongAdder();
    /** Deliveries of an event the connection had already received. */
    private final LongAdder duplicated = new LongAdder();
    /** Deliveries of an event older than one the connection had already received (a reordering or a late copy). */
    private final LongAdder outOfOrder = new LongAdder();

    void record(long sentNanos, long nowNanos) {
        long micros = (nowNanos - sentNanos) / 1000;
        recorder.recordValue(Math.max(0, Math.min(micros, MAX_MICROS)));
        count.increment();
    }

    /** An event whose number is not above the last one this connection received. */
    void misordered(boolean same) {
        (same ? duplicated : outOfOrder).increment();
    }

    long count() {
        return count.sum();
    }

    long duplicated() {
        return duplicated.sum();
    }

    long outOfOrder() {
        return outOfOrder.sum();
    }

    /** Starts a new window: what was recorded so far is dropped. */
    void reset() {
        recorder.getIntervalHistogram();
        count.reset();
        duplicated.reset();
        outOfOrder.reset();
    }

    /** The latencies recorded since the last reset (or the last call). */
    Histogram take() {
        return recorder.getIntervalHistogram();
    }
}
