package dev.qsio.runtime.clusteradapter;

import java.util.Map;
import java.util.Set;

import dev.qsio.Handshake;
import dev.qsio.RemoteSocket;
import dev.qsio.runtime.adapter.LocalSockets;
import io.quarkus.security.identity.SecurityIdentity;

/**
 * A socket connected to another server, as {@code fetchSockets} returned it: a snapshot of its state, and actions
 * that reach it through the cluster (Node's {@code RemoteSocket}).
 */
final class RemoteSocketImpl implements RemoteSocket {

    private final LocalSockets namespace;
    private final String id;
    private final Handshake handshake;
    private final Set<String> rooms;
    private final Map<String, Object> data;
    private final SecurityIdentity identity;

    RemoteSocketImpl(LocalSockets namespace, String id, Handshake handshake, Set<String> rooms, Map<String, Object> data,
            SecurityIdentity identity) {
        this.identity = identity;
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
    public SecurityIdentity securityIdentity() {
        return identity;
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
        namespace.select(id).emit(event, args);
    }

    @Override
    public void join(String... toJoin) {
        namespace.select(id).socketsJoin(toJoin);
    }

    @Override
    public void leave(String room) {
        namespace.select(id).socketsLeave(room);
    }

    @Override
    public void disconnect(boolean close) {
        namespace.select(id).disconnectSockets(close);
    }

    @Override
    public String toString() {
        return "RemoteSocket[" + id + " " + namespace.name() + "]";
    }
}
