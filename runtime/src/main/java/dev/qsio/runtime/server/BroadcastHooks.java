package dev.qsio.runtime.server;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.qsio.BroadcastContext;
import dev.qsio.runtime.adapter.BroadcastOptions;
import dev.qsio.runtime.adapter.RemoteBroadcastHooks;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;

/**
 * The {@link dev.qsio.OnBroadcast} methods, by namespace and event, and their delivery: in order, one broadcast
 * after the other.
 */
public final class BroadcastHooks implements RemoteBroadcastHooks {

    private static final Logger LOG = Logger.getLogger(BroadcastHooks.class);

    private final Map<String, Map<String, List<HandlerMethod>>> byNamespace = new HashMap<>();
    private final ObjectMapper mapper;
    private final SerialExecutor executor;
    private final int worker;
    private final String node;

    BroadcastHooks(List<HandlerMethod> methods, ObjectMapper mapper, Context context, int worker, String node) {
        for (HandlerMethod m : methods) {
            byNamespace.computeIfAbsent(m.definition.namespace().name(), k -> new HashMap<>())
                    .computeIfAbsent(m.definition.event(), k -> new ArrayList<>()).add(m);
        }
        this.mapper = mapper;
        this.executor = new SerialExecutor(context);
        this.worker = worker;
        this.node = node;
    }

    private List<HandlerMethod> find(String namespace, String event) {
        Map<String, List<HandlerMethod>> events = byNamespace.get(namespace);
        if (events == null) {
            return List.of();
        }
        List<HandlerMethod> list = events.get(event);
        return list == null ? List.of() : list;
    }

    @Override
    public boolean listens(String namespace, String event) {
        return !find(namespace, event).isEmpty();
    }

    /** A broadcast that this process sent. */
    void deliverLocal(Namespace namespace, String event, Object[] args, BroadcastOptions options, boolean serverSide) {
        List<HandlerMethod> methods = find(namespace.name(), event);
        if (methods.isEmpty()) {
            return;
        }
        List<JsonNode> json = new ArrayList<>(args.length);
        for (Object arg : args) {
            json.add(mapper.valueToTree(arg));
        }
        deliver(methods, event, json, new BroadcastContext(namespace.name(), options.rooms(), options.except(),
                serverSide, worker, node, true), null);
    }

    @Override
    public void deliverRemote(String namespace, String event, List<JsonNode> args, Set<String> rooms, Set<String> except,
            boolean serverSide, int originWorker, String originNode, Consumer<Object> reply) {
        List<HandlerMethod> methods = find(namespace, event);
        if (methods.isEmpty()) {
            if (reply != null) {
                reply.accept(null);
            }
            return;
        }
        deliver(methods, event, args, new BroadcastContext(namespace, rooms, except, serverSide, originWorker,
                originNode, false), reply);
    }

    private void deliver(List<HandlerMethod> methods, String event, List<JsonNode> args, BroadcastContext context,
            Consumer<Object> reply) {
        HandlerMethod.Call call = new HandlerMethod.Call(null, null, null, null, context, event, args);
        boolean[] replied = new boolean[1];
        for (HandlerMethod m : methods) {
            executor.submit(m.execution, () -> {
                Uni<Object> result;
                try {
                    result = m.result(m.invoke(call));
                } catch (Throwable t) {
                    LOG.errorf(t, "@OnBroadcast method %s failed", m);
                    result = Uni.createFrom().nullItem();
                }
                result.subscribe().with(value -> {
                    if (reply != null && !replied[0]) {
                        replied[0] = true;
                        reply.accept(value);
                    }
                }, failure -> {
                    LOG.errorf(failure, "@OnBroadcast method %s failed", m);
                    if (reply != null && !replied[0]) {
                        replied[0] = true;
                        reply.accept(null);
                    }
                });
            });
        }
    }
}
