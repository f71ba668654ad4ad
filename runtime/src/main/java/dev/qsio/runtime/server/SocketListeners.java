package dev.qsio.runtime.server;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;

import dev.qsio.AnyListener;
import dev.qsio.EventArgs;
import dev.qsio.PacketMiddleware;
import dev.qsio.SocketIoSocket;
import dev.qsio.runtime.protocol.Encoded;
import dev.qsio.runtime.protocol.Packet;
import dev.qsio.runtime.protocol.PacketKind;
import dev.qsio.runtime.protocol.ProtocolJson;
import dev.qsio.runtime.protocol.ProtocolException;
import io.smallrye.mutiny.Uni;

/**
 * A socket's catch-all listeners, of incoming and of outgoing events, and its packet middleware. A socket makes it
 * when one is first added (most sockets have none). Each list is immutable, replaced on change under the socket's
 * monitor, and null when empty, so that the paths that read them (every event in, every packet out) read one field.
 */
final class SocketListeners {

    private static final Logger LOG = Logger.getLogger(SocketListeners.class);

    volatile List<AnyListener> incoming;
    volatile List<AnyListener> outgoing;
    volatile List<PacketMiddleware> middleware;

    static <T> List<T> with(List<T> list, T item, boolean first) {
        List<T> next = new ArrayList<>(list == null ? List.of() : list);
        next.add(first ? 0 : next.size(), Objects.requireNonNull(item));
        return List.copyOf(next);
    }

    static <T> List<T> without(List<T> list, T item) {
        if (list == null) {
            return null;
        }
        List<T> next = new ArrayList<>(list);
        next.remove(item);
        return next.isEmpty() ? null : List.copyOf(next);
    }

    static <T> List<T> orEmpty(List<T> list) {
        return list == null ? List.of() : list;
    }

    /** Calls catch-all listeners; one that throws is reported to {@code onError} and the others still run. */
    static void tell(List<AnyListener> listeners, String event, List<JsonNode> args, Consumer<Throwable> onError) {
        List<JsonNode> view = Collections.unmodifiableList(args);
        for (AnyListener l : listeners) {
            try {
                l.onEvent(event, view);
            } catch (RuntimeException e) {
                onError.accept(e);
            }
        }
    }

    /** Shows an event written to a client to its outgoing listeners. */
    static void tellOutgoing(List<AnyListener> listeners, Encoded packet, ProtocolJson json, Consumer<Throwable> onError) {
        Packet decoded;
        try {
            decoded = json.decode(packet);
        } catch (ProtocolException e) {
            // not something a client could send back: a CONNECT_ERROR, or an event under a reserved name
            LOG.debugf("outgoing packet not shown to the listeners: %s", e.getMessage());
            return;
        }
        if (decoded.kind() != PacketKind.EVENT) {
            return;
        }
        ArrayNode payload = (ArrayNode) decoded.data();
        tell(listeners, payload.get(0).asText(), arguments(payload), onError);
    }

    /** The arguments of an event's payload: what follows its name. */
    static List<JsonNode> arguments(ArrayNode payload) {
        List<JsonNode> args = new ArrayList<>(payload.size() - 1);
        for (int i = 1; i < payload.size(); i++) {
            args.add(payload.get(i));
        }
        return args;
    }

    /** Runs an event through the middleware, one after the other; fails with the first that refuses it. */
    static Uni<EventArgs> pass(List<PacketMiddleware> middleware, SocketIoSocket socket, EventArgs event) {
        Uni<EventArgs> chain = Uni.createFrom().item(event);
        for (PacketMiddleware m : middleware) {
            chain = chain.chain(current -> {
                Uni<?> next = m.apply(socket, current);
                return next == null ? Uni.createFrom().item(current) : next.map(result -> passed(current, result));
            });
        }
        return chain;
    }

    /** What a middleware's result makes of the event: an {@link EventArgs} replaces it, anything else passes it. */
    private static EventArgs passed(EventArgs current, Object result) {
        if (!(result instanceof EventArgs replaced)) {
            return current;
        }
        if (replaced.event() == null || replaced.values() == null) {
            throw new IllegalStateException("a packet middleware replaced event '" + current.event()
                    + "' with one without a name or arguments: " + replaced);
        }
        return replaced;
    }
}
