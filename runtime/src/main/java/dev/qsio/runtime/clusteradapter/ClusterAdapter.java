package dev.qsio.runtime.clusteradapter;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.JsonNode;

import dev.qsio.RemoteSocket;
import dev.qsio.RoomEvent;
import dev.qsio.runtime.adapter.Broadcast;
import dev.qsio.runtime.adapter.BroadcastAcks;
import dev.qsio.runtime.adapter.BroadcastOptions;
import dev.qsio.runtime.adapter.InMemoryAdapter;
import dev.qsio.runtime.adapter.LocalSockets;
import dev.qsio.runtime.protocol.PacketEncoder;
import dev.qsio.runtime.requests.RequestTracker;
import io.smallrye.mutiny.Uni;

/**
 * The adapter of a namespace in a cluster: each operation applies to the local sockets and, unless {@code local},
 * reaches the other servers through the server's {@link ClusterHub} (Node's {@code ClusterAdapter}).
 */
final class ClusterAdapter extends InMemoryAdapter {

    private final ClusterHub hub;

    /** The wire's watch on this namespace's rooms, or null. */
    private final Consumer<RoomEvent> roomWatcher;

    ClusterAdapter(LocalSockets namespace, ClusterHub hub, PacketEncoder encoder, RequestTracker requests) {
        super(namespace, encoder, requests);
        this.hub = hub;
        this.roomWatcher = hub.roomWatcher(namespace);
    }

    @Override
    protected Consumer<RoomEvent> roomEvents() {
        Consumer<RoomEvent> application = super.roomEvents();
        if (roomWatcher == null) {
            return application;
        }
        return application == null ? roomWatcher : roomWatcher.andThen(application);
    }

    String name() {
        return namespace.name();
    }

    LocalSockets sockets() {
        return namespace;
    }

    @Override
    public void broadcast(Broadcast broadcast) {
        BroadcastOptions options = broadcast.options();
        if (options.local() || !hub.deliversOwn(options)) {
            super.broadcast(broadcast);
        }
        if (!options.local()) {
            hub.broadcast(broadcast);
        }
    }

    @Override
    protected BroadcastAcks newAcks(BroadcastOptions options) {
        if (options.local()) {
            return super.newAcks(options);
        }
        Others others = hub.othersNow(name());
        if (others.members() == null) {
            return new BroadcastAcks(null, others.count() + 1);
        }
        Set<String> servers = new HashSet<>(others.members());
        servers.add(SELF);
        return new BroadcastAcks(servers);
    }

    @Override
    protected void publishWithAck(Broadcast broadcast, long requestId, Duration timeout) {
        if (!broadcast.options().local()) {
            hub.broadcastWithAck(broadcast, requestId, timeout.toMillis());
        }
    }

    @Override
    public Uni<List<RemoteSocket>> fetchSockets(BroadcastOptions options) {
        List<RemoteSocket> local = new ArrayList<>(localSockets(options));
        if (options.local()) {
            return Uni.createFrom().item(local);
        }
        return Uni.createFrom().completionStage(hub.fetchSockets(this, options)).map(remote -> {
            List<RemoteSocket> all = new ArrayList<>(local);
            all.addAll(remote);
            return all;
        });
    }

    @Override
    public void addSockets(BroadcastOptions options, Set<String> rooms) {
        super.addSockets(options, rooms);
        if (!options.local()) {
            hub.socketsOperation(name(), AdapterMessage.Operation.JOIN, options, rooms, false);
        }
    }

    @Override
    public void delSockets(BroadcastOptions options, Set<String> rooms) {
        super.delSockets(options, rooms);
        if (!options.local()) {
            hub.socketsOperation(name(), AdapterMessage.Operation.LEAVE, options, rooms, false);
        }
    }

    @Override
    public void disconnectSockets(BroadcastOptions options, boolean close) {
        super.disconnectSockets(options, close);
        if (!options.local()) {
            hub.socketsOperation(name(), AdapterMessage.Operation.DISCONNECT, options, Set.of(), close);
        }
    }

    @Override
    public void serverSideEmit(String event, Object[] args) {
        hub.serverSideEmit(name(), event, args);
    }

    @Override
    public Uni<List<JsonNode>> serverSideEmitWithAck(String event, Object[] args, Duration timeout) {
        return Uni.createFrom().completionStage(hub.serverSideEmitWithAck(name(), event, args, timeout.toMillis()));
    }

    @Override
    public Uni<Integer> serverCount() {
        return Uni.createFrom().item(hub.serverCount(name()));
    }

    @Override
    public void close() {
        hub.closed(this);
    }
}
