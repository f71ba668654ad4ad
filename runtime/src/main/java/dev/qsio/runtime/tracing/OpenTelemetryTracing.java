package dev.qsio.runtime.tracing;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.jboss.logging.MDC;

import dev.qsio.HandshakeRequest;
import dev.qsio.SocketIoSocket;
import dev.qsio.runtime.spans.Tracing;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;

/**
 * The spans of the Socket.IO server, after Node's {@code @opentelemetry/instrumentation-socket.io} where the current
 * OpenTelemetry messaging conventions agree with it, and as the conventions say where they differ (span names are
 * {@code <operation> <namespace>}; the namespace is the destination; rooms are attributes, not part of the name).
 * The table of spans and attributes is in the documentation's tracing page.
 */
final class OpenTelemetryTracing implements Tracing {

    static final String SCOPE = "dev.qsio.socketio";

    static final AttributeKey<String> SYSTEM = AttributeKey.stringKey("messaging.system");
    static final AttributeKey<String> DESTINATION = AttributeKey.stringKey("messaging.destination.name");
    static final AttributeKey<String> OPERATION_NAME = AttributeKey.stringKey("messaging.operation.name");
    static final AttributeKey<String> OPERATION_TYPE = AttributeKey.stringKey("messaging.operation.type");
    static final AttributeKey<String> CLIENT_ID = AttributeKey.stringKey("messaging.client.id");
    /** Node's instrumentation's names. */
    static final AttributeKey<String> NAMESPACE = AttributeKey.stringKey("messaging.socket.io.namespace");
    static final AttributeKey<String> EVENT = AttributeKey.stringKey("messaging.socket.io.event_name");
    static final AttributeKey<List<String>> ROOMS = AttributeKey.stringArrayKey("messaging.socket.io.rooms");
    /** This server's own. */
    static final AttributeKey<List<String>> EXCEPT = AttributeKey.stringArrayKey("messaging.socket.io.except");
    static final AttributeKey<String> TRANSPORT = AttributeKey.stringKey("messaging.socket.io.transport");
    static final AttributeKey<String> REASON = AttributeKey.stringKey("messaging.socket.io.disconnect_reason");
    static final AttributeKey<String> ORIGIN_NODE = AttributeKey.stringKey("messaging.socket.io.origin.node");
    static final AttributeKey<Long> ORIGIN_WORKER = AttributeKey.longKey("messaging.socket.io.origin.worker");

    /** The keys under which Quarkus's logging integration puts the current span (as in {@code %X{traceId}}). */
    private static final String MDC_TRACE_ID = "traceId";
    private static final String MDC_SPAN_ID = "spanId";
    private static final String MDC_SAMPLED = "sampled";

    private static final TextMapGetter<HandshakeRequest> HEADERS = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(HandshakeRequest request) {
            return request.headers().keySet();
        }

        @Override
        public String get(HandshakeRequest request, String key) {
            return request == null ? null : request.header(key.toLowerCase(Locale.ROOT));
        }
    };

    private static final TextMapGetter<Map<String, String>> FIELDS = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Map<String, String> fields) {
            return fields.keySet();
        }

        @Override
        public String get(Map<String, String> fields, String key) {
            return fields == null ? null : fields.get(key);
        }
    };

    // this class is a Tracing: Span and Scope are its hooks' types, OpenTelemetry's are named in full
    private final Tracer tracer;
    private final TextMapPropagator propagator;

    OpenTelemetryTracing(OpenTelemetry openTelemetry) {
        this.tracer = openTelemetry.getTracer(SCOPE);
        this.propagator = openTelemetry.getPropagators().getTextMapPropagator();
    }

    @Override
    public boolean enabled() {
        return true;
    }

    private SpanBuilder span(String operation, String type, SpanKind kind, String namespace) {
        SpanBuilder builder = tracer.spanBuilder(operation + " " + namespace).setSpanKind(kind)
                .setAttribute(SYSTEM, "socket.io").setAttribute(DESTINATION, namespace)
                .setAttribute(NAMESPACE, namespace).setAttribute(OPERATION_NAME, operation);
        return type == null ? builder : builder.setAttribute(OPERATION_TYPE, type);
    }

    private static Context parentOf(Object connection) {
        return connection instanceof SpanContext c && c.isValid() ? Context.root().with(io.opentelemetry.api.trace.Span.wrap(c)) : Context.root();
    }

    // ---- a socket's life: one trace per connection, continuing the client's (traceparent on the handshake)

    @Override
    public Object connected(SocketIoSocket socket) {
        HandshakeRequest handshake = socket.conn() == null ? null : socket.conn().request();
        Context parent = handshake == null ? Context.root() : propagator.extract(Context.root(), handshake, HEADERS);
        io.opentelemetry.api.trace.Span span = span("connect", null, SpanKind.SERVER, socket.namespace()).setParent(parent)
                .setAttribute(CLIENT_ID, socket.id()).setAttribute(TRANSPORT, socket.transport()).startSpan();
        span.end();
        return span.getSpanContext();
    }

    @Override
    public void upgraded(Object connection, SocketIoSocket socket, String transport) {
        span("upgrade", null, SpanKind.INTERNAL, socket.namespace()).setParent(parentOf(connection))
                .setAttribute(CLIENT_ID, socket.id()).setAttribute(TRANSPORT, transport).startSpan().end();
    }

    @Override
    public void disconnected(Object connection, SocketIoSocket socket, String reason) {
        span("disconnect", null, SpanKind.INTERNAL, socket.namespace()).setParent(parentOf(connection))
                .setAttribute(CLIENT_ID, socket.id()).setAttribute(REASON, reason).startSpan().end();
    }

    // ---- handlers: an event starts a trace of its own, linked to its connection's

    @Override
    public Tracing.Span handling(Object connection, SocketIoSocket socket, String event, boolean lifecycle) {
        SpanBuilder builder = span("receive", "process", SpanKind.CONSUMER, socket.namespace())
                .setAttribute(EVENT, event).setAttribute(CLIENT_ID, socket.id());
        if (lifecycle) {
            builder.setParent(parentOf(connection));
        } else {
            builder.setParent(Context.root());
            if (connection instanceof SpanContext c && c.isValid()) {
                builder.addLink(c);
            }
        }
        return new Traced(builder.startSpan());
    }

    // ---- what this server sends: children of the current span (a handler's, or the application's)

    @Override
    public Tracing.Span sending(Send kind, String namespace, String event, String socketId, Set<String> rooms,
            Set<String> except) {
        String operation = switch (kind) {
            case EMIT, BROADCAST -> "send";
            case ACK -> "ack";
            case SERVER_SIDE_EMIT -> "serverSideEmit";
        };
        SpanBuilder builder = span(operation, "send", SpanKind.PRODUCER, namespace).setAttribute(EVENT, event);
        if (socketId != null) {
            builder.setAttribute(CLIENT_ID, socketId);
        }
        if (!rooms.isEmpty()) {
            builder.setAttribute(ROOMS, List.copyOf(rooms));
        }
        if (!except.isEmpty()) {
            builder.setAttribute(EXCEPT, List.copyOf(except));
        }
        return new Traced(builder.startSpan());
    }

    // ---- across servers

    @Override
    public Map<String, String> context() {
        Context current = Context.current();
        if (!io.opentelemetry.api.trace.Span.fromContext(current).getSpanContext().isValid()) {
            return Map.of();
        }
        Map<String, String> fields = new HashMap<>(4);
        propagator.inject(current, fields, Map::put);
        return fields;
    }

    @Override
    public Tracing.Span delivering(Delivery kind, String namespace, String event, Map<String, String> parent,
            int originWorker, String originNode) {
        String operation = switch (kind) {
            case BROADCAST -> "broadcast";
            case SERVER_SIDE_EMIT -> "serverSideEmit";
            case FETCH_SOCKETS -> "fetchSockets";
            case SOCKETS_JOIN -> "socketsJoin";
            case SOCKETS_LEAVE -> "socketsLeave";
            case DISCONNECT_SOCKETS -> "disconnectSockets";
        };
        SpanBuilder builder = span(operation, "process", SpanKind.CONSUMER, namespace)
                .setParent(parent.isEmpty() ? Context.root() : propagator.extract(Context.root(), parent, FIELDS))
                .setAttribute(ORIGIN_NODE, originNode).setAttribute(ORIGIN_WORKER, (long) originWorker);
        if (event != null) {
            builder.setAttribute(EVENT, event);
        }
        return new Traced(builder.startSpan());
    }

    /** A span of these hooks; current, it is in the logs' MDC too (Quarkus does that only on duplicated contexts). */
    private static final class Traced implements Tracing.Span {
        private final io.opentelemetry.api.trace.Span span;

        Traced(io.opentelemetry.api.trace.Span span) {
            this.span = span;
        }

        @Override
        public Tracing.Scope enter() {
            io.opentelemetry.context.Scope scope = span.makeCurrent();
            SpanContext context = span.getSpanContext();
            Object traceId = MDC.put(MDC_TRACE_ID, context.getTraceId());
            Object spanId = MDC.put(MDC_SPAN_ID, context.getSpanId());
            Object sampled = MDC.put(MDC_SAMPLED, Boolean.toString(context.isSampled()));
            return () -> {
                restore(MDC_SAMPLED, sampled);
                restore(MDC_SPAN_ID, spanId);
                restore(MDC_TRACE_ID, traceId);
                scope.close();
            };
        }

        private static void restore(String key, Object previous) {
            if (previous == null) {
                MDC.remove(key);
            } else {
                MDC.put(key, previous);
            }
        }

        @Override
        public void end(Throwable failure) {
            if (failure != null) {
                span.recordException(failure);
                span.setStatus(StatusCode.ERROR, String.valueOf(failure.getMessage()));
            }
            span.end();
        }
    }
}
