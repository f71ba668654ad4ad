package dev.qsio.runtime.server;

import java.util.List;

import io.quarkus.runtime.annotations.RecordableConstructor;

/**
 * A handler method as the deployment processor found and validated it; recorded at build time and read by the
 * runtime as it is, nothing parsed back.
 *
 * @param kind what the method handles
 * @param namespace the namespace declaration it belongs to (for {@code @OnBroadcast}, the namespace it listens to)
 * @param event the event name for {@code @OnEvent} and {@code @OnBroadcast}, otherwise {@code null}
 * @param declaringClass the bean class
 * @param method the method name
 * @param invokerClass the generated invoker
 * @param params one entry per parameter
 * @param returns how the result is delivered
 * @param execution where the method runs
 * @param access who may send the event ({@code @OnEvent} methods: the method's Quarkus Security annotation, else its
 *        class's), or null for anyone
 * @param ratePerSecond {@code @OnEvent(rateLimit = ...)}: the event's rate per connection, or 0 for none
 * @param rateBurst its burst (at least 1 when there is a rate)
 */
public record HandlerDefinition(Kind kind, NamespaceDeclaration namespace, String event, String declaringClass,
        String method, String invokerClass, List<Param> params, Returns returns, ExecutionModel execution,
        Access access, double ratePerSecond, double rateBurst) {

    @RecordableConstructor
    public HandlerDefinition {
        params = List.copyOf(params);
    }

    /** What the method handles. */
    public enum Kind {
        CONNECT,
        EVENT,
        /** Every event: {@code @OnAnyEvent}. */
        ANY_EVENT,
        /** Before leaving: {@code @OnDisconnecting}. */
        DISCONNECTING,
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

    /** Where a handler runs. One socket's handlers run one after the other whatever their model. */
    public enum ExecutionModel {
        /** On the socket's event loop; must not block. */
        EVENT_LOOP,
        /** On a worker thread. */
        WORKER,
        /** On a virtual thread (a worker thread on a JVM without virtual threads). */
        VIRTUAL_THREAD
    }

    /** What a parameter receives. */
    public enum ParamKind {
        /** The socket. */
        SOCKET,
        /** The acknowledgement of the event. */
        ACK,
        /** The disconnection reason. */
        REASON,
        /** The failure, of the parameter's type. */
        ERROR,
        /** Where a broadcast came from. */
        CONTEXT,
        /** All arguments of the event. */
        ARGS,
        /** The next argument of the event, bound to the parameter's type. */
        ARG,
        /** The socket's {@code SecurityIdentity}. */
        IDENTITY
    }

    /**
     * One parameter.
     *
     * @param kind what it receives
     * @param type for {@code ARG}, the canonical type to bind to (Jackson's form, for example
     *        {@code java.util.List<java.lang.String>}); for {@code ERROR}, the exception class; otherwise {@code null}
     */
    public record Param(ParamKind kind, String type) {

        @RecordableConstructor
        public Param {
        }
    }

    /**
     * The namespace a handler serves: one name, or dynamic namespaces by pattern or by matcher bean.
     *
     * @param name the namespace name, {@code null} for a dynamic declaration
     * @param pattern the regular expression of dynamic names, or {@code null}
     * @param matcher the matcher bean class of dynamic names, or {@code null}
     * @param access who may connect (the Quarkus Security annotation of the {@code @SocketIo} class), or null
     */
    public record NamespaceDeclaration(String name, String pattern, String matcher, Access access) {

        @RecordableConstructor
        public NamespaceDeclaration {
        }

        public static NamespaceDeclaration named(String name) {
            return new NamespaceDeclaration(name, null, null, null);
        }

        /** The same declaration, with who may connect. */
        public NamespaceDeclaration withAccess(Access access) {
            return new NamespaceDeclaration(name, pattern, matcher, access);
        }

        /** The key that groups the handlers of one declaration. */
        public String group() {
            if (pattern != null) {
                return "pattern:" + pattern;
            }
            if (matcher != null) {
                return "matcher:" + matcher;
            }
            return name;
        }

        @Override
        public String toString() {
            return pattern != null ? "pattern " + pattern : matcher != null ? "matcher " + matcher : name;
        }
    }

    @Override
    public String toString() {
        return declaringClass + "#" + method;
    }
}
