package dev.qsio.runtime.server;

import java.util.List;

import io.quarkus.runtime.annotations.RecordableConstructor;

/**
 * A handler method as the deployment processor found and validated it; recorded at build time.
 */
public final class HandlerDefinition {

    /** What the method handles. */
    public enum Kind {
        CONNECT,
        EVENT,
        DISCONNECT,
        ERROR,
        MIDDLEWARE,
        BROADCAST
    }

    /** How the method's result is delivered. */
    public enum Returns {
        VOID,
        VALUE,
        UNI,
        STAGE
    }

    private final String kind;
    private final String namespace;
    private final String pattern;
    private final String matcher;
    private final String event;
    private final String declaringClass;
    private final String method;
    private final String invokerClass;
    private final List<String> params;
    private final String returns;
    private final boolean blocking;

    @RecordableConstructor
    public HandlerDefinition(String kind, String namespace, String pattern, String matcher, String event,
            String declaringClass, String method, String invokerClass, List<String> params, String returns,
            boolean blocking) {
        this.kind = kind;
        this.namespace = namespace;
        this.pattern = pattern;
        this.matcher = matcher;
        this.event = event;
        this.declaringClass = declaringClass;
        this.method = method;
        this.invokerClass = invokerClass;
        this.params = params;
        this.returns = returns;
        this.blocking = blocking;
    }

    public String getKind() {
        return kind;
    }

    /** The namespace name; for a dynamic namespace, the pattern or matcher that stands for it. */
    public String getNamespace() {
        return namespace;
    }

    /** The pattern of a dynamic namespace, or {@code ""}. */
    public String getPattern() {
        return pattern;
    }

    /** The matcher bean class of a dynamic namespace, or {@code ""}. */
    public String getMatcher() {
        return matcher;
    }

    public String getEvent() {
        return event;
    }

    public String getDeclaringClass() {
        return declaringClass;
    }

    public String getMethod() {
        return method;
    }

    public String getInvokerClass() {
        return invokerClass;
    }

    /**
     * One entry per parameter: {@code SOCKET}, {@code ACK}, {@code REASON}, {@code ERROR:<type>}, {@code CONTEXT},
     * {@code ARGS}, or {@code ARG:<canonical type>}.
     */
    public List<String> getParams() {
        return params;
    }

    public String getReturns() {
        return returns;
    }

    public boolean isBlocking() {
        return blocking;
    }

    Kind kind() {
        return Kind.valueOf(kind);
    }

    /** The key that groups handlers of one namespace declaration. */
    String group() {
        if (!pattern.isEmpty()) {
            return "pattern:" + pattern;
        }
        if (!matcher.isEmpty()) {
            return "matcher:" + matcher;
        }
        return namespace;
    }

    @Override
    public String toString() {
        return declaringClass + "#" + method;
    }
}
