package dev.qsio.runtime.adapter;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;

import dev.qsio.AckTimeoutException;
import dev.qsio.runtime.requests.RequestTracker;

/**
 * The acknowledgements of one broadcast (Node's {@code BroadcastOperator.emitWithAck}): every server, this one
 * included, reports how many clients it reached ({@link Reached}), then each client's answer arrives
 * ({@link Answer}). Complete when every server reported and every reached client answered; at the timeout it fails
 * saying how many answered. A reached client that leaves without answering is waited for until the timeout, as in
 * Node: the others' answers are still coming, and a departure on another server is not told over Node's wire formats.
 */
public final class BroadcastAcks extends RequestTracker.Request {

    /** A server reached this many clients. */
    public record Reached(int clients) {
    }

    /** One client's answer: every argument of its acknowledgement. */
    public record Answer(List<JsonNode> values) {
    }

    private final CompletableFuture<List<List<JsonNode>>> result = new CompletableFuture<>();
    private final List<List<JsonNode>> answers = new ArrayList<>();
    private int expected;

    /** Waits for these servers, this one included. */
    public BroadcastAcks(Set<String> servers) {
        super(servers);
    }

    /** Waits for these servers when not null, otherwise for {@code count} servers; this one included. */
    public BroadcastAcks(Set<String> servers, int count) {
        super(servers, count);
    }

    public CompletableFuture<List<List<JsonNode>>> result() {
        return result;
    }

    @Override
    protected boolean answered(String from, Object answer) {
        if (answer instanceof Reached r) {
            expected += r.clients();
            return true;
        }
        if (answer instanceof Answer a) {
            answers.add(a.values());
        }
        return false;
    }

    @Override
    protected boolean satisfied() {
        return remaining() == 0 && answers.size() >= expected;
    }

    @Override
    protected void completed() {
        result.complete(List.copyOf(answers));
    }

    @Override
    protected void timedOut() {
        int got = answers.size();
        List<JsonNode> responses = new ArrayList<>(got);
        for (List<JsonNode> values : answers) {
            responses.add(values.isEmpty() ? NullNode.getInstance() : values.get(0));
        }
        result.completeExceptionally(new AckTimeoutException("operation has timed out: " + got + " of "
                + (remaining() > 0 ? "at least " : "") + expected + " clients acknowledged", got, expected, responses));
    }
}
