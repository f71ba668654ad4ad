package dev.qsio.runtime.adapter;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.IntConsumer;


import com.fasterxml.jackson.databind.JsonNode;

import dev.qsio.RemoteSocket;
import dev.qsio.runtime.protocol.Encoded;
import dev.qsio.runtime.server.Namespace;
import dev.qsio.runtime.server.SocketImpl;
import io.smallrye.mutiny.Uni;

/**
 * The adapter of one process: a room index (room to socket ids, socket id to rooms) and local delivery.
 */
public class InMemoryAdapter implements Adapter {

    protected final Namespace namespace;
    private final Map<String, Set<String>> rooms = new ConcurrentHashMap<>();
    private final Map<String, Set<String>> sids = new ConcurrentHashMap<>();

    public InMemoryAdapter(Namespace namespace) {
        this.namespace = namespace;
    }

    @Override
    public void addAll(String id, Set<String> toJoin) {
        Set<String> mine = sids.computeIfAbsent(id, k -> ConcurrentHashMap.newKeySet());
        for (String room : toJoin) {
            if (mine.add(room)) {
                rooms.compute(room, (k, members) -> {
                    Set<String> m = members == null ? ConcurrentHashMap.newKeySet() : members;
                    m.add(id);
                    return m;
                });
            }
        }
    }

    @Override
    public void del(String id, String room) {
        Set<String> mine = sids.get(id);
        if (mine != null) {
            mine.remove(room);
        }
        removeFromRoom(id, room);
    }

    @Override
    public void delAll(String id) {
        Set<String> mine = sids.remove(id);
        if (mine != null) {
            for (String room : mine) {
                removeFromRoom(id, room);
            }
        }
    }

    private void removeFromRoom(String id, String room) {
        rooms.computeIfPresent(room, (k, members) -> {
            members.remove(id);
            return members.isEmpty() ? null : members;
        });
    }

    @Override
    public Set<String> socketRooms(String id) {
        Set<String> mine = sids.get(id);
        return mine == null ? Set.of() : Set.copyOf(mine);
    }

    @Override
    public Set<String> roomMembers(String room) {
        Set<String> members = rooms.get(room);
        return members == null ? Set.of() : Set.copyOf(members);
    }

    @Override
    public Set<String> rooms() {
        return Set.copyOf(rooms.keySet());
    }

    /** Calls {@code action} once for each local socket the options select. */
    protected void apply(BroadcastOptions options, Consumer<SocketImpl> action) {
        Set<String> except = exceptIds(options.except());
        if (options.rooms().isEmpty()) {
            for (SocketImpl socket : namespace.socketImpls()) {
                if (!except.contains(socket.id())) {
                    action.accept(socket);
                }
            }
            return;
        }
        Set<String> seen = options.rooms().size() > 1 ? new HashSet<>() : null;
        for (String room : options.rooms()) {
            Set<String> members = rooms.get(room);
            if (members == null) {
                continue;
            }
            for (String id : members) {
                if (except.contains(id) || (seen != null && !seen.add(id))) {
                    continue;
                }
                SocketImpl socket = namespace.socketImpl(id);
                if (socket != null) {
                    action.accept(socket);
                }
            }
        }
    }

    private Set<String> exceptIds(Set<String> exceptRooms) {
        if (exceptRooms.isEmpty()) {
            return Set.of();
        }
        Set<String> ids = new HashSet<>();
        for (String room : exceptRooms) {
            Set<String> members = rooms.get(room);
            if (members != null) {
                ids.addAll(members);
            }
        }
        return ids;
    }

    @Override
    public void broadcast(Encoded packet, String event, BroadcastOptions options) {
        boolean dropIfBusy = options.volatileFlag();
        apply(options, socket -> socket.write(packet, dropIfBusy));
    }

    @Override
    public void broadcastWithAck(String event, Object[] args, BroadcastOptions options, long timeoutMs,
            IntConsumer clientCount, Consumer<JsonNode> ack) {
        clientCount.accept(localBroadcastWithAck(namespace.server().encoder().event(namespace.name(),
                namespace.nextAckId(), event, args), options, ack));
    }

    /**
     * Writes a packet carrying an acknowledgement id to the selected local sockets, each expecting the ack under that
     * id; returns how many were reached.
     */
    protected int localBroadcastWithAck(Encoded packet, BroadcastOptions options, Consumer<JsonNode> ack) {
        long id = packet.ackId();
        int[] count = new int[1];
        apply(options, socket -> {
            socket.expectAck(id, args -> ack.accept(args.isEmpty() ? com.fasterxml.jackson.databind.node.NullNode.getInstance()
                    : args.get(0)));
            socket.write(packet, options.volatileFlag());
            count[0]++;
        });
        return count[0];
    }

    @Override
    public int serverCountNow() {
        return 1;
    }

    @Override
    public Uni<List<RemoteSocket>> fetchSockets(BroadcastOptions options) {
        List<RemoteSocket> found = new ArrayList<>();
        apply(options, found::add);
        return Uni.createFrom().item(found);
    }

    @Override
    public void addSockets(BroadcastOptions options, Set<String> toJoin) {
        apply(options, socket -> socket.join(toJoin.toArray(String[]::new)));
    }

    @Override
    public void delSockets(BroadcastOptions options, Set<String> toLeave) {
        apply(options, socket -> toLeave.forEach(socket::leave));
    }

    @Override
    public void disconnectSockets(BroadcastOptions options, boolean close) {
        List<SocketImpl> targets = new ArrayList<>();
        apply(options, targets::add);
        targets.forEach(socket -> socket.disconnect(close));
    }

    @Override
    public void serverSideEmit(String event, Object[] args, Consumer<List<JsonNode>> ack, Consumer<Throwable> timeout,
            long timeoutMs) {
        // no other server in one process
        if (ack != null) {
            ack.accept(List.of());
        }
    }
}
