package dev.qsio.runtime.server;

import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

import dev.qsio.BroadcastOperator;
import dev.qsio.EventArgs;
import dev.qsio.RemoteSocket;
import dev.qsio.runtime.adapter.BroadcastOptions;
import io.smallrye.mutiny.Uni;

/**
 * An immutable selection of sockets in a namespace, with flags: the implementation of {@link BroadcastOperator}.
 */
final class Operator implements BroadcastOperator {

    private final Namespace namespace;
    private final BroadcastOptions options;
    private final Duration timeout;

    Operator(Namespace namespace, BroadcastOptions options, Duration timeout) {
        this.namespace = namespace;
        this.options = options;
        this.timeout = timeout;
    }

    private static Set<String> plus(String method, Set<String> set, String[] more) {
        Set<String> s = new LinkedHashSet<>(set);
        s.addAll(Rooms.named(method, more));
        return Set.copyOf(s);
    }

    @Override
    public BroadcastOperator to(String... rooms) {
        return new Operator(namespace, options.withRooms(plus("to", options.rooms(), rooms)), timeout);
    }

    @Override
    public BroadcastOperator except(String... rooms) {
        return new Operator(namespace, options.withExcept(plus("except", options.except(), rooms)), timeout);
    }

    @Override
    public BroadcastOperator local() {
        return new Operator(namespace, options.withLocal(), timeout);
    }

    @Override
    public BroadcastOperator volatile_() {
        return new Operator(namespace, options.withVolatile(), timeout);
    }

    @Override
    public BroadcastOperator compress(boolean compress) {
        return new Operator(namespace, options.withCompress(compress), timeout);
    }

    @Override
    public BroadcastOperator timeout(Duration timeout) {
        return new Operator(namespace, options, SocketAcks.timeout(timeout));
    }

    @Override
    public void emit(String event, Object... args) {
        namespace.broadcast(event, args, options);
    }

    @Override
    public Uni<List<JsonNode>> emitWithAck(String event, Object... args) {
        return emitWithAckArgs(event, args).map(SocketIoServerImpl::firstsOf);
    }

    @Override
    public Uni<List<EventArgs>> emitWithAckArgs(String event, Object... args) {
        return namespace.broadcastWithAck(event, args, options, timeout);
    }

    @Override
    public <T> Uni<List<T>> emitWithAck(Class<T> type, String event, Object... args) {
        return emitWithAck(event, args).map(values -> namespace.server.ackValues(values, type));
    }

    @Override
    public Uni<List<RemoteSocket>> fetchSockets() {
        return namespace.adapter().fetchSockets(options);
    }

    @Override
    public void socketsJoin(String... rooms) {
        namespace.adapter().addSockets(options, Rooms.named("socketsJoin", rooms));
    }

    @Override
    public void socketsLeave(String... rooms) {
        namespace.adapter().delSockets(options, Rooms.named("socketsLeave", rooms));
    }

    @Override
    public void disconnectSockets(boolean close) {
        namespace.adapter().disconnectSockets(options, close);
    }
}
