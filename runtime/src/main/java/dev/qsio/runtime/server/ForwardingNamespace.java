package dev.qsio.runtime.server;

import java.util.Collection;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

import dev.qsio.BroadcastOperator;
import dev.qsio.SocketIoNamespace;
import dev.qsio.SocketIoSocket;
import dev.qsio.SocketMiddleware;
import io.smallrye.mutiny.Uni;

/** A {@link SocketIoNamespace} whose every operation is that of another one (the server's main namespace). */
interface ForwardingNamespace extends SocketIoNamespace, ForwardingOperator {

    /** The namespace that does the work. */
    SocketIoNamespace namespace();

    @Override
    default BroadcastOperator operator() {
        return namespace();
    }

    @Override
    default String name() {
        return namespace().name();
    }

    @Override
    default SocketIoNamespace use(SocketMiddleware middleware) {
        return namespace().use(middleware);
    }

    @Override
    default Collection<SocketIoSocket> localSockets() {
        return namespace().localSockets();
    }

    @Override
    default Set<String> rooms() {
        return namespace().rooms();
    }

    @Override
    default SocketIoSocket socket(String id) {
        return namespace().socket(id);
    }

    @Override
    default void serverSideEmit(String event, Object... args) {
        namespace().serverSideEmit(event, args);
    }

    @Override
    default Uni<List<JsonNode>> serverSideEmitWithAck(String event, Object... args) {
        return namespace().serverSideEmitWithAck(event, args);
    }

    @Override
    default Uni<Integer> serverCount() {
        return namespace().serverCount();
    }
}
