package dev.qsio.runtime.adapter;

import java.util.Map;
import java.util.Set;

import dev.qsio.Handshake;
import dev.qsio.RemoteSocket;
import dev.qsio.runtime.server.Namespace;

/**
 * A socket connected to another server, as {@code fetchSockets} returned it: a snapshot of its state, and actions
 * that reach it through the cluster (Node's {@code RemoteSocket}).
 */
final class RemoteSocketImpl implements RemoteSocket {

    private final Namespace namespace;
    private final String id;
    private final Handshake handshake;
    private final Set<String> rooms;
    private final Map<String, Object> data;

    RemoteSocketImpl(Namespace namespace, String id, Handshake handshake, Set<String> rooms, Map<String, Object> data) {
        this.namespace = namespace;
        this.id = id;
        this.handshake = handshake;
        this.rooms = Set.copyOf(rooms);
        this.data = data;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String namespace() {
        return namespace.name();
    }

    @Override
    public Handshake handshake() {
        return handshake;
    }

    @Override
    public Set<String> rooms() {
        return rooms;
    }

    @Override
    public Map<String, Object> data() {
        return data;
    }

    @Override
    public void emit(String event, Object... args) {
        namespace.to(id).emit(event, args);
    }

    @Override
    public void join(String... toJoin) {
        namespace.to(id).socketsJoin(toJoin);
    }

    @Override
    public void leave(String room) {
        namespace.to(id).socketsLeave(room);
    }

    @Override
    public void disconnect(boolean close) {
        namespace.to(id).disconnectSockets(close);
    }

    @Override
    public String toString() {
        return "RemoteSocket[" + id + " " + namespace.name() + "]";
    }
}
