package dev.qsio;

/**
 * An acknowledgement did not arrive in time. For a broadcast with acknowledgements, {@link #received()} says how
 * many recipients answered and {@link #expected()} how many were asked.
 */
public class AckTimeoutException extends RuntimeException {

    private final int received;
    private final int expected;

    public AckTimeoutException(String message, int received, int expected) {
        super(message, null, false, false);
        this.received = received;
        this.expected = expected;
    }

    public int received() {
        return received;
    }

    public int expected() {
        return expected;
    }
}
