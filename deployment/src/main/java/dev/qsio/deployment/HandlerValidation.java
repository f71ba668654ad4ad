package dev.qsio.deployment;

import java.util.ArrayList;
import java.util.List;

import org.jboss.jandex.ClassInfo;
import org.jboss.jandex.DotName;
import org.jboss.jandex.IndexView;
import org.jboss.jandex.MethodInfo;
import org.jboss.jandex.MethodParameterInfo;
import org.jboss.jandex.Type;

import dev.qsio.runtime.server.HandlerDefinition.ExecutionModel;
import dev.qsio.runtime.server.HandlerDefinition.Kind;
import dev.qsio.runtime.server.HandlerDefinition.Param;
import dev.qsio.runtime.server.HandlerDefinition.ParamKind;
import dev.qsio.runtime.server.HandlerDefinition.Returns;

/**
 * Checks a handler method's parameters and return type for its kind, and describes them for the runtime. Every
 * problem is reported with the class and method, and what to change.
 */
final class HandlerValidation {

    private final IndexView index;

    HandlerValidation(IndexView index) {
        this.index = index;
    }

    static String name(MethodInfo method) {
        return method.declaringClass().name() + "#" + method.name() + "()";
    }

    /** A handler that cannot work; the processor reports every one of a build together. */
    static final class Problem extends RuntimeException {
        Problem(String message) {
            super(message, null, false, false);
        }
    }

    static Problem problem(MethodInfo method, String annotation, String message) {
        return new Problem("Invalid @" + annotation + " method " + name(method) + ": " + message);
    }

    static Problem problem(ClassInfo type, String message) {
        return new Problem("@SocketIo on " + type.name() + " " + message);
    }

    /** The parameters, or a failure naming the method and the offending parameter. */
    List<Param> params(MethodInfo method, Kind kind, String annotation) {
        List<Param> specs = new ArrayList<>();
        boolean socket = false;
        boolean ack = false;
        boolean args = false;
        boolean reason = false;
        boolean error = false;
        boolean context = false;
        boolean identity = false;
        for (MethodParameterInfo p : method.parameters()) {
            Type type = p.type();
            DotName name = type.name();
            String label = "parameter " + (p.name() == null ? "#" + p.position() : "'" + p.name() + "'") + " of type "
                    + type;
            if (name.equals(SecurityAnnotations.SECURITY_IDENTITY)) {
                if (kind == Kind.BROADCAST) {
                    throw problem(method, annotation, label + " is not available: a broadcast has no socket, so no "
                            + "identity");
                }
                if (identity) {
                    throw problem(method, annotation, "declares SecurityIdentity twice");
                }
                identity = true;
                specs.add(new Param(ParamKind.IDENTITY, null));
                continue;
            }
            if (name.equals(DotNames.SOCKET)) {
                if (kind == Kind.BROADCAST) {
                    throw problem(method, annotation, label + " is not available: a broadcast has no socket; use "
                            + "BroadcastContext to know where it came from");
                }
                if (socket) {
                    throw problem(method, annotation, "declares SocketIoSocket twice");
                }
                socket = true;
                specs.add(new Param(ParamKind.SOCKET, null));
                continue;
            }
            switch (kind) {
                case EVENT, BROADCAST -> {
                    if (name.equals(DotNames.ACK)) {
                        if (kind == Kind.BROADCAST) {
                            throw problem(method, annotation, label + " is not available: answer a serverSideEmitWithAck "
                                    + "by returning the value");
                        }
                        if (ack) {
                            throw problem(method, annotation, "declares Ack twice");
                        }
                        ack = true;
                        specs.add(new Param(ParamKind.ACK, null));
                    } else if (name.equals(DotNames.EVENT_ARGS)) {
                        if (args) {
                            throw problem(method, annotation, "declares EventArgs twice");
                        }
                        args = true;
                        specs.add(new Param(ParamKind.ARGS, null));
                    } else if (name.equals(DotNames.BROADCAST_CONTEXT)) {
                        if (kind != Kind.BROADCAST) {
                            throw problem(method, annotation, label + " is only available to @OnBroadcast methods");
                        }
                        if (context) {
                            throw problem(method, annotation, "declares BroadcastContext twice");
                        }
                        context = true;
                        specs.add(new Param(ParamKind.CONTEXT, null));
                    } else {
                        specs.add(new Param(ParamKind.ARG, argumentType(method, annotation, label, type)));
                    }
                }
                case ANY_EVENT -> {
                    if (!name.equals(DotNames.EVENT_ARGS) || args) {
                        throw problem(method, annotation, label + " is not allowed: @OnAnyEvent methods take the "
                                + "SocketIoSocket and EventArgs (the event's name and arguments)");
                    }
                    args = true;
                    specs.add(new Param(ParamKind.ARGS, null));
                }
                case DISCONNECT, DISCONNECTING -> {
                    if (!name.equals(DotNames.STRING) || reason) {
                        throw problem(method, annotation, label + " is not allowed: @" + annotation + " methods take "
                                + "the SocketIoSocket and a String reason");
                    }
                    reason = true;
                    specs.add(new Param(ParamKind.REASON, null));
                }
                case ERROR -> {
                    if (error || type.kind() != Type.Kind.CLASS || !isThrowable(name)) {
                        throw problem(method, annotation, label + " is not allowed: @OnError methods take the "
                                + "SocketIoSocket and one Throwable (or subtype)");
                    }
                    error = true;
                    specs.add(new Param(ParamKind.ERROR, name.toString()));
                }
                default -> throw problem(method, annotation, label + " is not allowed: @" + annotation
                        + " methods take only the SocketIoSocket");
            }
        }
        return specs;
    }

    private String argumentType(MethodInfo method, String annotation, String label, Type type) {
        switch (type.kind()) {
            case PRIMITIVE:
                return type.name().toString();
            case CLASS:
                if (type.name().equals(DotNames.THROWABLE) || type.name().equals(DotNames.UNI)
                        || type.name().equals(DotNames.MULTI)) {
                    throw problem(method, annotation, label + " cannot be bound from event arguments");
                }
                return type.name().toString();
            case ARRAY:
                return arrayType(method, annotation, label, type);
            case PARAMETERIZED_TYPE: {
                StringBuilder sb = new StringBuilder(type.name().toString()).append('<');
                List<Type> arguments = type.asParameterizedType().arguments();
                for (int i = 0; i < arguments.size(); i++) {
                    if (i > 0) {
                        sb.append(',');
                    }
                    sb.append(argumentType(method, annotation, label, arguments.get(i)));
                }
                return sb.append('>').toString();
            }
            case WILDCARD_TYPE: {
                Type bound = type.asWildcardType().extendsBound();
                return bound == null ? "java.lang.Object" : argumentType(method, annotation, label, bound);
            }
            default:
                throw problem(method, annotation, label + " cannot be bound: use a concrete type (type variables are "
                        + "not known at run time)");
        }
    }

    private String arrayType(MethodInfo method, String annotation, String label, Type type) {
        Type component = type.asArrayType().constituent();
        int dimensions = type.asArrayType().dimensions();
        if (dimensions == 1 && component.kind() == Type.Kind.PRIMITIVE && component.name().toString().equals("byte")) {
            return "byte[]";
        }
        StringBuilder sb = new StringBuilder("[".repeat(dimensions));
        if (component.kind() == Type.Kind.PRIMITIVE) {
            sb.append(switch (component.name().toString()) {
                case "boolean" -> 'Z';
                case "byte" -> 'B';
                case "char" -> 'C';
                case "short" -> 'S';
                case "int" -> 'I';
                case "long" -> 'J';
                case "float" -> 'F';
                default -> 'D';
            });
        } else if (component.kind() == Type.Kind.CLASS) {
            sb.append('L').append(component.name()).append(';');
        } else {
            throw problem(method, annotation, label + " cannot be bound: arrays of generic types are not supported; "
                    + "use a List");
        }
        return sb.toString();
    }

    private boolean isThrowable(DotName name) {
        DotName current = name;
        while (current != null) {
            if (current.equals(DotNames.THROWABLE)) {
                return true;
            }
            if (current.toString().equals("java.lang.Exception") || current.toString().equals("java.lang.RuntimeException")
                    || current.toString().equals("java.lang.Error")) {
                return true;
            }
            var info = index.getClassByName(current);
            if (info == null) {
                try {
                    return Throwable.class.isAssignableFrom(
                            Class.forName(current.toString(), false, Thread.currentThread().getContextClassLoader()));
                } catch (ClassNotFoundException e) {
                    return false;
                }
            }
            current = info.superName();
        }
        return false;
    }

    /** How the result is delivered, or a failure when the return type cannot work for the kind. */
    Returns returns(MethodInfo method, Kind kind, String annotation) {
        Type type = method.returnType();
        DotName name = type.name();
        if (type.kind() == Type.Kind.VOID) {
            return Returns.VOID;
        }
        if (name.equals(DotNames.MULTI)) {
            throw problem(method, annotation, "returns Multi, which is not supported: return Uni<T> for one answer");
        }
        boolean async = name.equals(DotNames.UNI) || name.equals(DotNames.COMPLETION_STAGE)
                || name.equals(DotNames.COMPLETABLE_FUTURE);
        switch (kind) {
            case EVENT, BROADCAST:
                return name.equals(DotNames.UNI) ? Returns.UNI : async ? Returns.STAGE : Returns.VALUE;
            default:
                if (async) {
                    return name.equals(DotNames.UNI) ? Returns.UNI : Returns.STAGE;
                }
                throw problem(method, annotation, "returns " + type + ": @" + annotation
                        + " methods return void, Uni<Void> or CompletionStage<Void>");
        }
    }

    private static final List<DotName> EXECUTION_ANNOTATIONS = List.of(DotNames.BLOCKING, DotNames.NON_BLOCKING,
            DotNames.RUN_ON_VIRTUAL_THREAD);

    /**
     * Where the method runs: as its {@code @Blocking}, {@code @NonBlocking} or {@code @RunOnVirtualThread} says (on the
     * method, else on its class), otherwise on the event loop when it returns {@code Uni} or {@code CompletionStage}
     * and on a worker thread when it returns a value.
     */
    static ExecutionModel execution(MethodInfo method, Returns returns, String annotation) {
        ExecutionModel declared = declaredModel(method.declaredAnnotations().stream().map(a -> a.name()).toList(),
                method, annotation);
        if (declared == null) {
            declared = declaredModel(method.declaringClass().declaredAnnotations().stream().map(a -> a.name()).toList(),
                    method, annotation);
        }
        if (declared != null) {
            return declared;
        }
        return returns == Returns.UNI || returns == Returns.STAGE ? ExecutionModel.EVENT_LOOP : ExecutionModel.WORKER;
    }

    private static ExecutionModel declaredModel(List<DotName> annotations, MethodInfo method, String annotation) {
        List<DotName> present = EXECUTION_ANNOTATIONS.stream().filter(annotations::contains).toList();
        if (present.size() > 1) {
            throw problem(method, annotation, "it carries " + present.stream().map(n -> "@" + n.withoutPackagePrefix())
                    .toList() + "; choose one execution model");
        }
        if (present.isEmpty()) {
            return null;
        }
        DotName model = present.get(0);
        if (model.equals(DotNames.BLOCKING)) {
            return ExecutionModel.WORKER;
        }
        if (model.equals(DotNames.NON_BLOCKING)) {
            return ExecutionModel.EVENT_LOOP;
        }
        return ExecutionModel.VIRTUAL_THREAD;
    }
}
