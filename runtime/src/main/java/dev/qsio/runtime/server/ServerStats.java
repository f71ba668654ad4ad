package dev.qsio.runtime.server;

import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of the Socket.IO server of this process, read by metrics and reported to the primary.
 */
public final class ServerStats {

    final LongAdder packetsIn = new LongAdder();
    final LongAdder packetsOut = new LongAdder();
    final LongAdder ackTimeouts = new LongAdder();
    final LongAdder handlerFailures = new LongAdder();
    /** Broadcasts this server sent to the others, and received from them (counted by the cluster adapter). */
    public final LongAdder broadcastsSent = new LongAdder();
    public final LongAdder broadcastsReceived = new LongAdder();

    public long packetsIn() {
        return packetsIn.sum();
    }

    public long packetsOut() {
        return packetsOut.sum();
    }

    /** Failures of application handlers (exceptions and failed results without an error handler). */
    public long handlerFailures() {
        return handlerFailures.sum();
    }

    public long ackTimeouts() {
        return ackTimeouts.sum();
    }

    public long broadcastsSent() {
        return broadcastsSent.sum();
    }

    public long broadcastsReceived() {
        return broadcastsReceived.sum();
    }
}
