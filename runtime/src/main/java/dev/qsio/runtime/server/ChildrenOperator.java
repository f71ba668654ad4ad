package dev.qsio.runtime.server;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

import dev.qsio.BroadcastOperator;
import dev.qsio.EventArgs;
import dev.qsio.RemoteSocket;
import io.smallrye.mutiny.Uni;

/**
 * The namespaces whose name a pattern matches, as one selection (Node's parent namespace): each operation is that of
 * every matching namespace of this server, narrowed the same way ({@code to}, {@code except}, flags), and results
 * are gathered in one list.
 */
final class ChildrenOperator implements BroadcastOperator {

    private final SocketIoServerImpl server;
    private final Pattern pattern;
    /** What narrows each child's selection, applied to the namespace when an operation runs. */
    private final UnaryOperator<BroadcastOperator> narrowing;

    ChildrenOperator(SocketIoServerImpl server, Pattern pattern, UnaryOperator<BroadcastOperator> narrowing) {
        this.server = server;
        this.pattern = pattern;
        this.narrowing = narrowing;
    }

    private BroadcastOperator narrowed(UnaryOperator<BroadcastOperator> more) {
        return new ChildrenOperator(server, pattern, o -> more.apply(narrowing.apply(o)));
    }

    /** The selection of each matching namespace that exists now. */
    private List<BroadcastOperator> children() {
        List<BroadcastOperator> children = new ArrayList<>();
        for (Namespace namespace : server.namespaces()) {
            if (pattern.matcher(namespace.name()).matches()) {
                children.add(narrowing.apply(namespace));
            }
        }
        return children;
    }

    /** Runs an operation with a list result on every child and concatenates the lists, in namespace order. */
    private <T> Uni<List<T>> gather(Function<BroadcastOperator, Uni<List<T>>> operation) {
        List<Uni<List<T>>> each = children().stream().map(operation).toList();
        if (each.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        return Uni.join().all(each).andFailFast().map(lists -> {
            List<T> all = new ArrayList<>();
            lists.forEach(all::addAll);
            return all;
        });
    }

    @Override
    public BroadcastOperator to(String... rooms) {
        return narrowed(o -> o.to(rooms));
    }

    @Override
    public BroadcastOperator except(String... rooms) {
        return narrowed(o -> o.except(rooms));
    }

    @Override
    public BroadcastOperator local() {
        return narrowed(BroadcastOperator::local);
    }

    @Override
    public BroadcastOperator volatile_() {
        return narrowed(BroadcastOperator::volatile_);
    }

    @Override
    public BroadcastOperator compress(boolean compress) {
        return narrowed(o -> o.compress(compress));
    }

    @Override
    public BroadcastOperator timeout(Duration timeout) {
        return narrowed(o -> o.timeout(timeout));
    }

    @Override
    public void emit(String event, Object... args) {
        children().forEach(o -> o.emit(event, args));
    }

    @Override
    public Uni<List<JsonNode>> emitWithAck(String event, Object... args) {
        return gather(o -> o.emitWithAck(event, args));
    }

    @Override
    public <T> Uni<List<T>> emitWithAck(Class<T> type, String event, Object... args) {
        return gather(o -> o.emitWithAck(type, event, args));
    }

    @Override
    public Uni<List<EventArgs>> emitWithAckArgs(String event, Object... args) {
        return gather(o -> o.emitWithAckArgs(event, args));
    }

    @Override
    public Uni<List<RemoteSocket>> fetchSockets() {
        return gather(BroadcastOperator::fetchSockets);
    }

    @Override
    public void socketsJoin(String... rooms) {
        children().forEach(o -> o.socketsJoin(rooms));
    }

    @Override
    public void socketsLeave(String... rooms) {
        children().forEach(o -> o.socketsLeave(rooms));
    }

    @Override
    public void disconnectSockets(boolean close) {
        children().forEach(o -> o.disconnectSockets(close));
    }
}
