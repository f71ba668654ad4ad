package dev.qsio;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * All arguments of an event as JSON, binary values as {@code BinaryNode}s: declare it as an {@link OnEvent} or
 * {@link OnBroadcast} parameter to receive the arguments whatever their number, for example to relay them.
 *
 * @param event the event name
 * @param values the arguments, in order
 */
public record EventArgs(String event, List<JsonNode> values) {

    public int size() {
        return values.size();
    }

    public JsonNode get(int index) {
        return values.get(index);
    }

    /** The arguments as an array, ready to pass to {@code emit} or {@link Ack#send(Object...)}. */
    public Object[] toArray() {
        return values.toArray();
    }
}
