package dev.qsio.runtime.engine;

import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of one engine endpoint, read by health and metrics.
 */
public final class EngineStats {

    final LongAdder handshakesAccepted = new LongAdder();
    final LongAdder handshakesRefused = new LongAdder();
    final LongAdder bytesIn = new LongAdder();
    final LongAdder bytesOut = new LongAdder();

    void bytesOut(int n) {
        bytesOut.add(n);
    }

    void bytesIn(int n) {
        bytesIn.add(n);
    }

    public long handshakesAccepted() {
        return handshakesAccepted.sum();
    }

    public long handshakesRefused() {
        return handshakesRefused.sum();
    }

    public long bytesIn() {
        return bytesIn.sum();
    }

    public long bytesOut() {
        return bytesOut.sum();
    }
}
