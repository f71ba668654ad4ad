package dev.qsio.runtime.server;

import java.util.concurrent.atomic.LongAdder;

import dev.qsio.runtime.figures.Counters;
import dev.qsio.runtime.figures.Counts;

/**
 * The counters of the Socket.IO server of this process ({@link ServerFigure}), read by metrics and reported to the
 * primary.
 */
public final class ServerStats {

    private final Counters<ServerFigure> counters = new Counters<>(ServerFigure.class);
    final LongAdder packetsIn = counters.adder(ServerFigure.PACKETS_IN);
    final LongAdder packetsOut = counters.adder(ServerFigure.PACKETS_OUT);
    final LongAdder acksPending = counters.adder(ServerFigure.ACKS_PENDING);

    public void increment(ServerFigure figure) {
        counters.increment(figure);
    }

    /** The counter of {@code figure}, for a part that counts often or is built outside the server. */
    public LongAdder adder(ServerFigure figure) {
        return counters.adder(figure);
    }

    public Counts<ServerFigure> snapshot() {
        return counters.snapshot();
    }
}
