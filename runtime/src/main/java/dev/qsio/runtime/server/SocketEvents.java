package dev.qsio.runtime.server;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;

import dev.qsio.Ack;
import dev.qsio.AnyListener;
import dev.qsio.EventArgs;
import dev.qsio.PacketMiddleware;
import dev.qsio.runtime.protocol.Packet;
import dev.qsio.runtime.spans.Tracing;
import io.quarkus.security.identity.SecurityIdentity;

/**
 * The way of a socket's events to its handlers: its catch-all listeners, its packet middleware, the guards of Quarkus
 * Security, then the handlers, in the socket's order ({@link SerialExecutor}); and the way of a handler's failure to
 * the namespace's error handlers. The socket runs it; it keeps no state of its own.
 */
final class SocketEvents {

    private static final Logger LOG = Logger.getLogger(SocketEvents.class);

    private SocketEvents() {
    }

    /** An event of the client: to the catch-all listeners, the any-event handlers, then through the middleware. */
    static void dispatch(SocketImpl s, Packet packet) {
        ArrayNode payload = (ArrayNode) packet.data();
        String event = payload.get(0).asText();
        List<JsonNode> args = SocketListeners.arguments(payload);
        SocketListeners l = s.listeners;
        List<AnyListener> incoming = l == null ? null : l.incoming;
        if (incoming != null) {
            SocketListeners.tell(incoming, event, args, s::onError);
        }
        Ack ack = packet.hasId() ? new AckImpl(s, packet.id(), event) : AckImpl.NONE;
        HandlerMethod.Call call = new HandlerMethod.Call(s, ack, null, null, null, event, args);
        // dispatch runs as a task of the socket's executor: what it submits is part of it, and runs before what was
        // queued meanwhile (see SerialExecutor.submitNext)
        for (HandlerMethod m : s.namespace.handlers.anyEvent) {
            s.executor.submitNext(m.execution, () -> call(s, m, call, AckImpl.NONE));
        }
        List<PacketMiddleware> middleware = l == null ? null : l.middleware;
        if (middleware == null) {
            handle(s, call, ack);
            return;
        }
        // the middleware of one event completes before the next event's starts, and handlers keep the events' order
        EventArgs eventArgs = new EventArgs(event, args);
        s.executor.submitNextAsync(() -> SocketListeners.pass(middleware, s, eventArgs).onItemOrFailure()
                .transform((passed, failure) -> {
                    if (failure == null) {
                        // the middleware may have replaced the event (Node's middleware rewrites the packet's array)
                        handle(s, passed == eventArgs ? call
                                : new HandlerMethod.Call(s, ack, null, null, null, passed.event(), passed.values()),
                                ack);
                    } else {
                        refused(s, event, failure);
                    }
                    return null;
                }));
    }

    /** Runs the event's handlers, in the socket's order. */
    private static void handle(SocketImpl s, HandlerMethod.Call call, Ack ack) {
        List<HandlerMethod> methods = s.namespace.handlers.events(call.event());
        if (methods.isEmpty()) {
            LOG.debugf("no handler for event '%s' in %s", call.event(), s.namespace.name());
            return;
        }
        for (HandlerMethod m : methods) {
            if (m.access != null) {
                callIfAllowed(s, m, call, ack);
            } else {
                s.executor.submitNext(m.execution, () -> call(s, m, call, ack));
            }
        }
    }

    /**
     * Calls a handler whose event Quarkus Security guards: when the socket may not send it, the event is refused,
     * its acknowledgement (if asked for) answered with {@code {"error": "Unauthorized" | "Forbidden"}}, and the
     * socket stays.
     */
    private static void callIfAllowed(SocketImpl s, HandlerMethod m, HandlerMethod.Call call, Ack ack) {
        SecurityIdentity who = s.identity;
        s.executor.submitNextAsync(() -> SocketSecurity.allows(m.access, who).onItemOrFailure().transform((ok, failure) -> {
            if (failure == null && Boolean.TRUE.equals(ok)) {
                s.executor.submitNext(m.execution, () -> call(s, m, call, ack));
            } else {
                String refusal = SocketSecurity.refusal(who);
                LOG.debugf("socket %s may not send '%s' to %s (%s): %s", s.id(), call.event(), m, m.access, refusal);
                if (ack.requested()) {
                    ack.send(Map.of("error", refusal));
                }
            }
            return null;
        }));
    }

    /** Middleware refused an event: the client gets an {@code error} event, the error handlers the failure. */
    private static void refused(SocketImpl s, String event, Throwable failure) {
        LOG.debugf("middleware of socket %s refused event '%s': %s", s.id(), event, failure.getMessage());
        String message = failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage();
        s.write(s.namespace.server.json().encoder().event(s.namespace.name(), -1, "error",
                new Object[] { Map.of("message", message) }), false, false);
        s.onError(failure);
    }

    /**
     * Calls a handler in its span: its result, when it has one, is the acknowledgement; a failure goes to the error
     * handlers.
     */
    static void call(SocketImpl s, HandlerMethod m, HandlerMethod.Call call, Ack ack) {
        Tracing.Span span = handlerSpan(s, m, call);
        Object raw;
        try (Tracing.Scope scope = span.enter()) {
            try {
                raw = SocketSecurity.associating() ? invokeAs(s, m, call) : m.invoke(call);
            } catch (Checked e) {
                span.end(e.getCause());
                s.onError(e.getCause());
                return;
            } catch (ArgumentException e) {
                span.end(e);
                s.onError(e);
                return;
            } catch (Throwable t) {
                span.end(t);
                s.onError(t);
                return;
            }
            if (m.returns == HandlerDefinition.Returns.VOID) {
                // a void handler without an Ack parameter is done when it returns: that is its acknowledgement
                if (ack.requested() && !m.takesAck()) {
                    ack.send();
                }
                span.end(null);
                return;
            }
        }
        m.result(raw).subscribe().with(value -> {
            // the acknowledgement is a child of the handler's span, also when its result came later on another thread
            try (Tracing.Scope scope = span.enter()) {
                if (ack.requested()) {
                    if (value == null) {
                        ack.send();
                    } else {
                        ack.send(value);
                    }
                }
            }
            span.end(null);
        }, failure -> {
            span.end(failure);
            s.onError(failure);
        });
    }

    /** The span of a handler call: an event's, or one of the socket's life (connection, disconnecting, disconnect). */
    private static Tracing.Span handlerSpan(SocketImpl s, HandlerMethod m, HandlerMethod.Call call) {
        Tracing tracing = s.namespace.server.tracing();
        return switch (m.kind) {
            case EVENT, ANY_EVENT -> tracing.handling(s.trace, s, call.event(), false);
            case CONNECT -> tracing.handling(s.trace, s, "connection", true);
            case DISCONNECTING -> tracing.handling(s.trace, s, "disconnecting", true);
            case DISCONNECT -> tracing.handling(s.trace, s, "disconnect", true);
            default -> Tracing.Span.NONE;
        };
    }

    /** Invokes a handler with the socket's identity current (see {@link SocketSecurity#withIdentity}). */
    private static Object invokeAs(SocketImpl s, HandlerMethod m, HandlerMethod.Call call) {
        return SocketSecurity.withIdentity(s.identity, () -> {
            try {
                return m.invoke(call);
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new Checked(e);
            }
        });
    }

    /** A checked exception of a handler, carried through {@link SocketSecurity#withIdentity}. */
    private static final class Checked extends RuntimeException {
        Checked(Exception cause) {
            super(cause);
        }
    }

    /** A handler failed: the namespace's error handlers for that type are called, or it is logged. */
    static void failed(SocketImpl s, Throwable failure) {
        List<HandlerMethod> matching = new ArrayList<>();
        for (HandlerMethod m : s.namespace.handlers.error) {
            if (m.accepts(failure)) {
                matching.add(m);
            }
        }
        if (matching.isEmpty()) {
            if (failure instanceof ArgumentException) {
                LOG.debugf("socket %s sent arguments its handler cannot take: %s", s.id(), failure.getMessage());
            } else {
                s.namespace.server.failures().report(failure,
                        "in namespace " + s.namespace.name() + " (socket " + s.id() + ")");
            }
            return;
        }
        for (HandlerMethod m : matching) {
            s.executor.submit(m.execution, () -> {
                try {
                    m.result(m.invoke(new HandlerMethod.Call(s, null, null, failure, null, null, null))).subscribe()
                            .with(v -> {
                            }, f -> LOG.errorf(f, "Socket.IO error handler %s failed", m));
                } catch (Throwable t) {
                    LOG.errorf(t, "Socket.IO error handler %s failed", m);
                }
            });
        }
    }
}
