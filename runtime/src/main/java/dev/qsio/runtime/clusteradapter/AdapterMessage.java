package dev.qsio.runtime.clusteradapter;

import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;

/**
 * The messages between the cluster adapters of servers, after Node's {@code ClusterAdapter}: a broadcast, the
 * requests that act on or collect sockets elsewhere, and their responses. Each wire ({@link AdapterLink})
 * encodes them its own way; the {@link ClusterHub} applies them the same way whatever the wire.
 * <p>
 * A request id is chosen by the requester and echoed by the responses; a message without acknowledgements has none
 * ({@code null}).
 */
public sealed interface AdapterMessage {

    /**
     * Who sent a message: its member id, worker id and node (host) id, and the trace context of the span it was sent
     * in (W3C {@code traceparent} and {@code tracestate}, as the tracing view fills them; empty without tracing).
     * Every wire carries the context, in a field Node's servers ignore.
     */
    record Origin(String member, int worker, String node, Map<String, String> trace) {

        public Origin {
            trace = trace == null ? Map.of() : trace;
        }

        public Origin(String member, int worker, String node) {
            this(member, worker, node, Map.of());
        }

        /** This origin with a trace context; this one itself without (nothing is allocated when tracing is off). */
        Origin traced(Map<String, String> context) {
            return context.isEmpty() ? this : new Origin(member, worker, node, context);
        }
    }

    /** What sockets an operation selects. */
    record Selection(Set<String> rooms, Set<String> except) {
    }

    /** An event to the selected sockets; with a request id, each client's acknowledgement is expected. */
    record Broadcast(Origin origin, String namespace, EventPayload payload, Selection selection, boolean volatileFlag,
            boolean compress, boolean withOffset, boolean direct, String requestId, long timeoutMs)
            implements AdapterMessage {
    }

    /** What a {@link SocketsOperation} does. */
    enum Operation {
        JOIN,
        LEAVE,
        DISCONNECT
    }

    /** The selected sockets join or leave rooms, or are disconnected. */
    record SocketsOperation(Origin origin, String namespace, Operation operation, Selection selection, Set<String> rooms,
            boolean close) implements AdapterMessage {
    }

    record FetchSockets(Origin origin, String namespace, String requestId, Selection selection) implements AdapterMessage {
    }

    /** An event for the other servers' {@code @OnBroadcast} methods; with a request id, each answers. */
    record ServerSideEmit(Origin origin, String namespace, String requestId, EventPayload payload)
            implements AdapterMessage {
    }

    /** The sockets one server selected, described as Node's adapters describe them. */
    record FetchSocketsResponse(String namespace, String requestId, List<JsonNode> sockets) implements AdapterMessage {
    }

    record ServerSideEmitResponse(String namespace, String requestId, JsonNode value) implements AdapterMessage {
    }

    /** How many clients one server reached with a broadcast expecting acknowledgements. */
    record BroadcastClientCount(String namespace, String requestId, int clientCount) implements AdapterMessage {
    }

    /**
     * One client's acknowledgement of a broadcast: every argument of it. Node's adapters forward the first argument
     * only ({@link #first()}); Node's formats carry the others beside it, where Node ignores them.
     */
    record BroadcastAck(String namespace, String requestId, List<JsonNode> values) implements AdapterMessage {

        public BroadcastAck {
            values = List.copyOf(values);
        }

        /** The first argument, JSON null when there is none: what a Node server reads. */
        public JsonNode first() {
            return values.isEmpty() ? NullNode.getInstance() : values.get(0);
        }
    }
}
