package dev.qsio.runtime.server;

import java.time.Duration;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import dev.qsio.BroadcastOperator;
import dev.qsio.EventArgs;
import dev.qsio.RemoteSocket;
import io.smallrye.mutiny.Uni;

/** A {@link BroadcastOperator} whose every operation is that of another one. */
interface ForwardingOperator extends BroadcastOperator {

    /** The operator that does the work. */
    BroadcastOperator operator();

    @Override
    default BroadcastOperator to(String... rooms) {
        return operator().to(rooms);
    }

    @Override
    default BroadcastOperator except(String... rooms) {
        return operator().except(rooms);
    }

    @Override
    default BroadcastOperator local() {
        return operator().local();
    }

    @Override
    default BroadcastOperator volatile_() {
        return operator().volatile_();
    }

    @Override
    default BroadcastOperator compress(boolean compress) {
        return operator().compress(compress);
    }

    @Override
    default BroadcastOperator timeout(Duration timeout) {
        return operator().timeout(timeout);
    }

    @Override
    default void emit(String event, Object... args) {
        operator().emit(event, args);
    }

    @Override
    default Uni<List<JsonNode>> emitWithAck(String event, Object... args) {
        return operator().emitWithAck(event, args);
    }

    @Override
    default <T> Uni<List<T>> emitWithAck(Class<T> type, String event, Object... args) {
        return operator().emitWithAck(type, event, args);
    }

    @Override
    default Uni<List<EventArgs>> emitWithAckArgs(String event, Object... args) {
        return operator().emitWithAckArgs(event, args);
    }

    @Override
    default Uni<List<RemoteSocket>> fetchSockets() {
        return operator().fetchSockets();
    }

    @Override
    default void socketsJoin(String... rooms) {
        operator().socketsJoin(rooms);
    }

    @Override
    default void socketsLeave(String... rooms) {
        operator().socketsLeave(rooms);
    }

    @Override
    default void disconnectSockets(boolean close) {
        operator().disconnectSockets(close);
    }
}
