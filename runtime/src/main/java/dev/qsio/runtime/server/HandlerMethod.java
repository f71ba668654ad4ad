package dev.qsio.runtime.server;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletionStage;

import jakarta.enterprise.invoke.Invoker;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.NullNode;

import dev.qsio.Ack;
import dev.qsio.BroadcastContext;
import dev.qsio.EventArgs;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;

/**
 * A handler method ready to call: its generated invoker and how to build its arguments.
 */
final class HandlerMethod {

    /** How each parameter gets its value: the recorded kinds, with arguments refined by their type. */
    private enum Binding {
        SOCKET,
        ACK,
        REASON,
        ERROR,
        CONTEXT,
        ARGS,
        ARG_JSON,
        ARG_BYTES,
        ARG_BUFFER,
        ARG_VALUE,
        IDENTITY
    }

    final HandlerDefinition definition;
    final HandlerDefinition.Kind kind;
    final HandlerDefinition.Returns returns;
    final HandlerDefinition.ExecutionModel execution;
    private final Invoker<Object, Object> invoker;
    private final Binding[] params;
    private final ObjectReader[] readers;
    private final Class<?>[] primitives;
    final Class<? extends Throwable> errorType;
    /** Who may send the event this method handles, or null for anyone. */
    final Access access;

    @SuppressWarnings("unchecked")
    HandlerMethod(HandlerDefinition definition, ObjectMapper mapper, ClassLoader loader) {
        this.definition = definition;
        this.kind = definition.kind();
        this.returns = definition.returns();
        this.execution = definition.execution();
        this.access = definition.access();
        try {
            this.invoker = (Invoker<Object, Object>) loader.loadClass(definition.invokerClass()).getDeclaredConstructor()
                    .newInstance();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("Cannot create the invoker of " + definition, e);
        }
        List<HandlerDefinition.Param> specs = definition.params();
        params = new Binding[specs.size()];
        readers = new ObjectReader[specs.size()];
        primitives = new Class<?>[specs.size()];
        Class<? extends Throwable> error = Throwable.class;
        for (int i = 0; i < specs.size(); i++) {
            HandlerDefinition.Param spec = specs.get(i);
            params[i] = switch (spec.kind()) {
                case SOCKET -> Binding.SOCKET;
                case ACK -> Binding.ACK;
                case REASON -> Binding.REASON;
                case CONTEXT -> Binding.CONTEXT;
                case ARGS -> Binding.ARGS;
                case IDENTITY -> Binding.IDENTITY;
                case ERROR -> {
                    try {
                        error = (Class<? extends Throwable>) loader.loadClass(spec.type());
                    } catch (ClassNotFoundException e) {
                        throw new IllegalStateException("Cannot load the error type of " + definition, e);
                    }
                    yield Binding.ERROR;
                }
                case ARG -> switch (spec.type()) {
                    case "com.fasterxml.jackson.databind.JsonNode" -> Binding.ARG_JSON;
                    case "byte[]" -> Binding.ARG_BYTES;
                    case "io.vertx.core.buffer.Buffer" -> Binding.ARG_BUFFER;
                    default -> {
                        JavaType javaType = mapper.getTypeFactory().constructFromCanonical(spec.type());
                        readers[i] = mapper.readerFor(javaType);
                        if (javaType.isPrimitive()) {
                            primitives[i] = javaType.getRawClass();
                        }
                        yield Binding.ARG_VALUE;
                    }
                };
            };
        }
        this.errorType = error;
    }

    /** What a call receives; unused parts are null. */
    record Call(SocketImpl socket, Ack ack, String reason, Throwable error, BroadcastContext context, String event,
            List<JsonNode> args) {
    }

    /** Builds the arguments and invokes the method; returns its raw result. */
    Object invoke(Call call) throws Exception {
        Object[] values = new Object[params.length];
        int arg = 0;
        try {
            for (int i = 0; i < params.length; i++) {
                values[i] = switch (params[i]) {
                    case SOCKET -> call.socket;
                    case ACK -> call.ack;
                    case REASON -> call.reason;
                    case ERROR -> call.error;
                    case CONTEXT -> call.context;
                    case ARGS -> new EventArgs(call.event, call.args);
                    case IDENTITY -> call.socket == null ? null : call.socket.securityIdentity();
                    default -> bind(i, call.args, arg++);
                };
            }
        } catch (IOException | IllegalArgumentException e) {
            throw new ArgumentException("event '" + call.event + "' for " + definition + ": " + e.getMessage());
        }
        return invoker.invoke(null, values);
    }

    private Object bind(int param, List<JsonNode> args, int index) throws Exception {
        JsonNode node = args != null && index < args.size() ? args.get(index) : null;
        switch (params[param]) {
            case ARG_JSON:
                return node;
            case ARG_BYTES:
                return node == null || node.isNull() ? null : node.binaryValue();
            case ARG_BUFFER:
                return node == null || node.isNull() ? null : Buffer.buffer(node.binaryValue());
            default:
                if (node == null || node.isNull()) {
                    if (primitives[param] != null) {
                        throw new IllegalArgumentException("argument " + index + " is missing or null but parameter "
                                + param + " of " + definition + " is a " + primitives[param].getName());
                    }
                    return readers[param].readValue(NullNode.getInstance());
                }
                return readers[param].readValue(node);
        }
    }

    /** Turns the result into a Uni of the value to acknowledge (null item for void). */
    @SuppressWarnings("unchecked")
    Uni<Object> result(Object raw) {
        return switch (returns) {
            case VOID, VALUE -> Uni.createFrom().item(raw);
            case UNI -> raw == null ? Uni.createFrom().nullItem() : (Uni<Object>) raw;
            case STAGE -> raw == null ? Uni.createFrom().nullItem()
                    : Uni.createFrom().completionStage((CompletionStage<Object>) raw);
        };
    }

    /** Whether the method answers acknowledgements itself through an {@link Ack} parameter. */
    boolean takesAck() {
        for (Binding p : params) {
            if (p == Binding.ACK) {
                return true;
            }
        }
        return false;
    }

    boolean accepts(Throwable error) {
        return errorType.isInstance(error);
    }

    @Override
    public String toString() {
        return definition.toString();
    }
}
