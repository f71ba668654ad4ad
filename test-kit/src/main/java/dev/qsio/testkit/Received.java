package dev.qsio.testkit;

import java.util.List;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * What a client received: the arguments of an event, or of an acknowledgement. Arguments are JSON trees; binary
 * arguments are {@link com.fasterxml.jackson.databind.node.BinaryNode}s ({@link JsonNode#binaryValue()}).
 */
public final class Received {

    private final String event;
    private final List<JsonNode> args;
    private final ObjectMapper mapper;
    private final AckReply reply;

    interface AckReply {
        void send(Object... args);
    }

    Received(String event, List<JsonNode> args, ObjectMapper mapper, AckReply reply) {
        this.event = event;
        this.args = List.copyOf(args);
        this.mapper = mapper;
        this.reply = reply;
    }

    /** The event's name; {@code null} for an acknowledgement. */
    public String event() {
        return event;
    }

    /** All the arguments. */
    public List<JsonNode> args() {
        return args;
    }

    /** How many arguments there are. */
    public int size() {
        return args.size();
    }

    /** The argument at {@code index}. */
    public JsonNode arg(int index) {
        if (index >= args.size()) {
            throw new AssertionError((event == null ? "the acknowledgement" : "'" + event + "'") + " has "
                    + args.size() + " argument(s), not " + (index + 1) + ": " + args);
        }
        return args.get(index);
    }

    /** The first argument. */
    public JsonNode arg() {
        return arg(0);
    }

    /** The argument at {@code index}, bound to {@code type} with Jackson (records and POJOs as the server sent them). */
    public <T> T arg(int index, Class<T> type) {
        try {
            return mapper.treeToValue(arg(index), type);
        } catch (JsonProcessingException e) {
            throw new AssertionError("argument " + index + " of " + (event == null ? "the acknowledgement" : "'" + event
                    + "'") + " is not a " + type.getName() + ": " + arg(index), e);
        }
    }

    /** Whether the server asked for an acknowledgement of this event ({@code emitWithAck} on the server). */
    public boolean expectsAck() {
        return reply != null;
    }

    /** Acknowledges this event with {@code args}: what the server's {@code emitWithAck} returns. */
    public void ack(Object... args) {
        if (reply == null) {
            throw new IllegalStateException("'" + event + "' was sent without asking for an acknowledgement");
        }
        reply.send(args);
    }

    @Override
    public String toString() {
        return (event == null ? "ack" : event) + args;
    }
}
