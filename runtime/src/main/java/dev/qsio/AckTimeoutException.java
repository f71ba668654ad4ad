package dev.qsio;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * An acknowledgement did not arrive in time. For a broadcast with acknowledgements, {@link #received()} says how
 * many recipients answered, {@link #expected()} how many were asked, and {@link #responses()} what those that
 * answered in time said (Node's {@code err.responses}).
 */
public class AckTimeoutException extends RuntimeException {

    private final int received;
    private final int expected;
    private final List<JsonNode> responses;

    public AckTimeoutException(String message, int received, int expected) {
        this(message, received, expected, List.of());
    }

    /** With the answers received in time: the first argument of each, in the order they came. */
    public AckTimeoutException(String message, int received, int expected, List<JsonNode> responses) {
        super(message, null, false, false);
        this.received = received;
        this.expected = expected;
        this.responses = List.copyOf(responses);
    }

    public int received() {
        return received;
    }

    public int expected() {
        return expected;
    }

    /**
     * The first argument of each answer that arrived in time (a {@code NullNode} for an answer without arguments), in
     * the order they came; empty for one socket's acknowledgement.
     */
    public List<JsonNode> responses() {
        return responses;
    }
}
