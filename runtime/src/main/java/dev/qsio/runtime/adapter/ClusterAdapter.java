package dev.qsio.runtime.adapter;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

import com.fasterxml.jackson.databind.JsonNode;

import dev.qsio.RemoteSocket;
import dev.qsio.runtime.protocol.Encoded;
import dev.qsio.runtime.server.Namespace;
import dev.qsio.runtime.server.SocketImpl;
import io.smallrye.mutiny.Uni;

/**
 * The adapter of a namespace in a cluster: each operation applies to the local sockets and, unless {@code local},
 * reaches the other servers through its {@link Peers} (Node's {@code ClusterAdapter}).
 */
public final class ClusterAdapter extends InMemoryAdapter {

    private final Peers hub;

    ClusterAdapter(Namespace namespace, Peers hub) {
        super(namespace);
        this.hub = hub;
    }

    @Override
    public void broadcast(Encoded packet, String event, BroadcastOptions options) {
        if (options.local() || !hub.deliversOwn(options)) {
            super.broadcast(packet, event, options);
        }
        if (!options.local()) {
            hub.broadcast(namespace.name(), packet, event, options);
        }
    }

    void localBroadcast(Encoded packet, BroadcastOptions options) {
        super.broadcast(packet, null, options);
    }

    @Override
    public void broadcastWithAck(String event, Object[] args, BroadcastOptions options, long timeoutMs,
            IntConsumer clientCount, Consumer<JsonNode> ack) {
        super.broadcastWithAck(event, args, options, timeoutMs, clientCount, ack);
        if (!options.local()) {
            hub.broadcastWithAck(namespace.name(), event, args, options, timeoutMs, clientCount, ack);
        }
    }

    @Override
    protected int localBroadcastWithAck(Encoded packet, BroadcastOptions options, Consumer<JsonNode> ack) {
        return super.localBroadcastWithAck(packet, options, ack);
    }

    @Override
    public int serverCountNow() {
        return hub.serverCount();
    }

    List<SocketImpl> localSockets(BroadcastOptions options) {
        List<SocketImpl> found = new ArrayList<>();
        apply(options, found::add);
        return found;
    }

    @Override
    public Uni<List<RemoteSocket>> fetchSockets(BroadcastOptions options) {
        List<RemoteSocket> local = new ArrayList<>(localSockets(options));
        if (options.local()) {
            return Uni.createFrom().item(local);
        }
        return Uni.createFrom().completionStage(hub.fetchSockets(namespace, options)).map(remote -> {
            List<RemoteSocket> all = new ArrayList<>(local);
            all.addAll(remote);
            return all;
        });
    }

    @Override
    public void addSockets(BroadcastOptions options, Set<String> rooms) {
        super.addSockets(options, rooms);
        if (!options.local()) {
            hub.socketsOperation(AdapterMessage.SOCKETS_JOIN, namespace.name(), options, rooms, false);
        }
    }

    void localAddSockets(BroadcastOptions options, Set<String> rooms) {
        super.addSockets(options, rooms);
    }

    @Override
    public void delSockets(BroadcastOptions options, Set<String> rooms) {
        super.delSockets(options, rooms);
        if (!options.local()) {
            hub.socketsOperation(AdapterMessage.SOCKETS_LEAVE, namespace.name(), options, rooms, false);
        }
    }

    void localDelSockets(BroadcastOptions options, Set<String> rooms) {
        super.delSockets(options, rooms);
    }

    @Override
    public void disconnectSockets(BroadcastOptions options, boolean close) {
        super.disconnectSockets(options, close);
        if (!options.local()) {
            hub.socketsOperation(AdapterMessage.DISCONNECT_SOCKETS, namespace.name(), options, Set.of(), close);
        }
    }

    void localDisconnectSockets(BroadcastOptions options, boolean close) {
        super.disconnectSockets(options, close);
    }

    @Override
    public void serverSideEmit(String event, Object[] args, Consumer<List<JsonNode>> ack, Consumer<Throwable> timeout,
            long timeoutMs) {
        hub.serverSideEmit(namespace.name(), event, args, ack, timeout, timeoutMs);
    }

    @Override
    public void close() {
        hub.closed(namespace);
    }
}
