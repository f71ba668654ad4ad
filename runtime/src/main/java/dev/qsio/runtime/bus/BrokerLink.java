package dev.qsio.runtime.bus;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The state of one server's link to a broker, which {@link BusChannels} report: whether it is up or closed, the
 * listeners told each time it comes up or goes down, how many outages and dropped publications, the last error, when
 * the connection attempt under way started, and the wait before the next attempt. Each wire connects, subscribes and
 * retries its own way and says each change in its own words (the {@code say} of {@link #wentUp} and
 * {@link #wentDown}, run before the listeners hear of it); the link keeps what every wire keeps alike:
 * <ul>
 * <li>an outage is counted, and the down listeners told, when a link that was up goes down;</li>
 * <li>the wait between two attempts starts at 100 ms and doubles after each, up to the wire's maximum; it starts
 * again at 100 ms once the link is up;</li>
 * <li>coming up ends the attempt under way and clears the last error.</li>
 * </ul>
 */
public final class BrokerLink {

    /** The wait before the first attempt again, and the one after the link was up. */
    public static final long FIRST_DELAY_MS = 100;

    private final List<Runnable> upListeners = new CopyOnWriteArrayList<>();
    private final List<Runnable> downListeners = new CopyOnWriteArrayList<>();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong outages = new AtomicLong();
    private volatile boolean up;
    private volatile boolean closed;
    private volatile String lastError;
    /** When the connection attempt under way started ({@link System#nanoTime()}), or -1. */
    private volatile long attemptStarted = -1;
    /** The next wait; read and written where the wire reconnects (one context, or under its lock). */
    private long delayMs = FIRST_DELAY_MS;

    public boolean isUp() {
        return up;
    }

    /** Whether the wire closed the link: it connects no more. */
    public boolean isClosed() {
        return closed;
    }

    /** Called each time the link is (again) up. */
    public void onUp(Runnable listener) {
        upListeners.add(listener);
    }

    /** Called each time the link goes down after having been up. */
    public void onDown(Runnable listener) {
        downListeners.add(listener);
    }

    /** Publications dropped. */
    public long dropped() {
        return dropped.get();
    }

    /** Counts {@code count} publications dropped (the broker out of reach, or a write that failed); returns the total. */
    public long drop(long count) {
        return dropped.addAndGet(count);
    }

    public long outages() {
        return outages.get();
    }

    /** The last error, as the wire last set it (it is cleared when the link comes up). */
    public String lastError() {
        return lastError;
    }

    public void error(String message) {
        lastError = message;
    }

    /** When the connection attempt under way started ({@link System#nanoTime()}), or -1. */
    public long attemptStarted() {
        return attemptStarted;
    }

    /** A connection attempt starts now. */
    public void attempting() {
        attemptStarted = System.nanoTime();
    }

    /** No connection attempt is under way. */
    public void attemptOver() {
        attemptStarted = -1;
    }

    /**
     * The wait before the next attempt, in milliseconds; the one after it is twice as long, up to {@code maxMs}.
     */
    public long nextDelay(long maxMs) {
        long delay = delayMs;
        delayMs = Math.min(delayMs * 2, maxMs);
        return delay;
    }

    /**
     * Up (again): the attempt is over, the wait starts again from the first, the last error is cleared; {@code say}
     * says so, then the up listeners are told.
     */
    public void wentUp(Runnable say) {
        attemptStarted = -1;
        delayMs = FIRST_DELAY_MS;
        lastError = null;
        up = true;
        say.run();
        upListeners.forEach(Runnable::run);
    }

    /**
     * Down: {@code reason} is the last error. When the link was up, one outage more: {@code say} says so, then the
     * down listeners are told. Returns whether it was up.
     */
    public boolean wentDown(String reason, Runnable say) {
        lastError = reason;
        if (!up) {
            return false;
        }
        up = false;
        outages.incrementAndGet();
        say.run();
        downListeners.forEach(Runnable::run);
        return true;
    }

    /**
     * The broker could not be reached, and the link has been neither up nor down before: that counts as one outage
     * (as {@link BusChannels#outages()} says), which {@code say} says.
     */
    public void unreachableAtFirst(Runnable say) {
        if (!up && outages.get() == 0) {
            outages.incrementAndGet();
            say.run();
        }
    }

    /** Up at once, with nothing to listen to (channels that only publish): nothing is said, no listener told. */
    public void upWithoutListening() {
        up = true;
    }

    /** Closed: down for good, without an outage; no listener told. */
    public void close() {
        closed = true;
        up = false;
    }
}
