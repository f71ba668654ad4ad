package dev.qsio.bench;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Emits {@code pub} events at a fixed rate from one connection. Each payload is {@value #PAYLOAD_CHARS} characters:
 * the send time ({@code System.nanoTime()}) in decimal, then padding, so that receivers in this process can time it.
 */
final class Publisher {

    static final int PAYLOAD_CHARS = 100;

    private final Conn conn;
    private long timer = -1;
    private long sent;

    Publisher(Conn conn) {
        this.conn = conn;
    }

    /** A payload of exactly {@value #PAYLOAD_CHARS} characters that starts with the given time. */
    static String payload(long nanoTime) {
        String time = Long.toString(nanoTime);
        return time + "|" + "x".repeat(PAYLOAD_CHARS - time.length() - 1);
    }

    /** Starts publishing {@code perSecond} events per second (fractions are fine). */
    void start(double perSecond) {
        conn.runOnLoop(() -> {
            long t0 = System.nanoTime();
            sent = 0;
            timer = conn.context().owner().setPeriodic(1, id -> {
                long due = (long) ((System.nanoTime() - t0) * perSecond / 1e9) + 1;
                while (sent < due) {
                    conn.sendNow("42[\"pub\",\"" + payload(System.nanoTime()) + "\"]");
                    sent++;
                }
            });
        });
    }

    /** Stops publishing; returns how many events were sent. */
    long stop() throws Exception {
        CompletableFuture<Long> count = new CompletableFuture<>();
        conn.runOnLoop(() -> {
            conn.context().owner().cancelTimer(timer);
            count.complete(sent);
        });
        return count.get(10, TimeUnit.SECONDS);
    }
}
