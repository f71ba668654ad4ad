package dev.qsio.bench;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Emits {@code pub} events at a fixed rate from one connection. Each payload is {@value #PAYLOAD_CHARS} characters:
 * the send time ({@code System.nanoTime()}) in decimal, {@code |}, the event's number (counted over the publisher's
 * life, never reset), {@code |}, then padding: receivers in this process time it and check that they get every event
 * once, in order.
 */
final class Publisher {

    static final int PAYLOAD_CHARS = 100;

    private final Conn conn;
    private long timer = -1;
    private long sent;
    /** The number of the next event, over the publisher's life. */
    private long seq;

    Publisher(Conn conn) {
        this.conn = conn;
    }

    /** A payload of exactly {@value #PAYLOAD_CHARS} characters that starts with the given time and number. */
    static String payload(long nanoTime, long seq) {
        String head = nanoTime + "|" + seq + "|";
        return head + "x".repeat(PAYLOAD_CHARS - head.length());
    }

    /** Starts publishing {@code perSecond} events per second (fractions are fine). */
    void start(double perSecond) {
        conn.runOnLoop(() -> {
            long t0 = System.nanoTime();
            sent = 0;
            timer = conn.context().owner().setPeriodic(1, id -> {
                long due = (long) ((System.nanoTime() - t0) * perSecond / 1e9) + 1;
                while (sent < due) {
                    conn.sendNow("42[\"pub\",\"" + payload(System.nanoTime(), seq++) + "\"]");
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
