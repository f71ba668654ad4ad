package dev.qsio.runtime.server;

import java.util.List;
import java.util.Set;

import dev.qsio.runtime.adapter.SessionStore;

/**
 * A socket's leaving of its namespace, at most once: its session is kept in the store when its client may recover it
 * and forgotten otherwise, then it leaves its rooms, the namespace and the connection, ends the acknowledgements it
 * awaited, and its {@code @OnDisconnecting} then {@code @OnDisconnect} handlers run in the socket's order. The socket
 * runs it; it keeps no state of its own.
 */
final class SocketDisconnection {

    /** The reasons after which a client may recover its session (the connection was lost, not closed on purpose). */
    private static final Set<String> RECOVERABLE = Set.of("transport error", "transport close", "forced close",
            "ping timeout", "server shutting down", "forced server close", "send buffer full");

    private SocketDisconnection() {
    }

    /** Leaves the namespace for a reason; at most once. */
    static void leave(SocketImpl s, String reason) {
        if (!s.connected) {
            return;
        }
        Namespace namespace = s.namespace;
        SessionStore store = namespace.server.sessionStore();
        if (store != null && s.pid != null && !s.replaced) {
            if (RECOVERABLE.contains(reason)) {
                store.disconnected(namespace.name(), s.session());
            } else {
                store.forget(namespace.name(), s.pid);
            }
        }
        s.leftFor = reason;
        s.connected = false;
        if (s.expiryTimer >= 0) {
            namespace.server.vertx().cancelTimer(s.expiryTimer);
        }
        List<HandlerMethod> disconnecting = namespace.handlers.disconnecting;
        if (!disconnecting.isEmpty()) {
            s.roomsWhenLeaving = namespace.adapter().socketRooms(s.id());
        }
        namespace.adapter().delAll(s.id());
        namespace.removed(s);
        s.client.removed(s);
        SocketAcks.departed(s, reason);
        SocketObserver observer = namespace.server.observer();
        if (observer != null) {
            observer.disconnected(s, reason);
        }
        namespace.server.tracing().disconnected(s.trace, s, reason);
        HandlerMethod.Call leaving = new HandlerMethod.Call(s, null, reason, null, null, null, null);
        for (HandlerMethod m : disconnecting) {
            s.executor.submit(m.execution, () -> s.call(m, leaving, AckImpl.NONE));
        }
        if (!disconnecting.isEmpty()) {
            // in the socket's order: after the disconnecting handlers, before the disconnect ones
            s.executor.submit(HandlerDefinition.ExecutionModel.EVENT_LOOP, () -> s.roomsWhenLeaving = null);
        }
        for (HandlerMethod m : namespace.handlers.disconnect) {
            s.executor.submit(m.execution, () -> s.call(m, leaving, AckImpl.NONE));
        }
    }
}
