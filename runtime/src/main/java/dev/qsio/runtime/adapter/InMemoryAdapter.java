package dev.qsio.runtime.adapter;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;

import dev.qsio.RemoteSocket;
import dev.qsio.RoomEvent;
import dev.qsio.runtime.protocol.Encoded;
import dev.qsio.runtime.protocol.PacketEncoder;
import dev.qsio.runtime.requests.RequestTracker;
import io.smallrye.mutiny.Uni;

/**
 * The adapter of one process: a room index (room to its sockets, socket id to rooms) and local delivery. The cluster
 * adapter extends it with what reaches the other servers.
 */
public class InMemoryAdapter implements Adapter {

    private static final Logger LOG = Logger.getLogger(InMemoryAdapter.class);

    /** How this process names itself in the requests it tracks. */
    protected static final String SELF = "self";

    protected final LocalSockets namespace;
    protected final PacketEncoder encoder;
    protected final RequestTracker requests;
    /**
     * Room to its members: socket id to the socket (so that a broadcast visits its recipients without looking each
     * up by id), or {@link #BY_ID} where the namespace did not know the socket when it joined.
     */
    private final Map<String, Map<String, Object>> rooms = new ConcurrentHashMap<>();
    private static final Object BY_ID = new Object();
    /**
     * Socket id to its rooms: an immutable set replaced on each change while it is small (most sockets are in their
     * own room and one or two more, and an immutable set of two costs 24 bytes where a concurrent one costs 200), a
     * concurrent set changed in place past {@link #SMALL}. Changed only in {@code compute}, read without a lock.
     */
    private final Map<String, Set<String>> sids = new ConcurrentHashMap<>();
    private static final int SMALL = 8;

    public InMemoryAdapter(LocalSockets namespace, PacketEncoder encoder, RequestTracker requests) {
        this.namespace = namespace;
        this.encoder = encoder;
        this.requests = requests;
    }

    @Override
    public void addAll(String id, Set<String> toJoin) {
        AdapterSocket socket = namespace.socket(id);
        Object member = socket != null ? socket : BY_ID;
        // sized for a few rooms: most sockets are in their own and one or two more (a default set costs 16 slots)
        sids.compute(id, (k, mine) -> joined(mine, toJoin));
        Consumer<RoomEvent> events = roomEvents();
        for (String room : toJoin) {
            if (events != null) {
                addObserved(id, room, member, events);
                continue;
            }
            // also when already a member: a socket restored under the same id replaces the one it succeeds
            rooms.compute(room, (k, members) -> joined(members, id, member));
        }
    }

    /** {@link #addAll} when room changes are observed: what changed is reported after the change. */
    private void addObserved(String id, String room, Object member, Consumer<RoomEvent> events) {
        boolean[] change = new boolean[2];
        rooms.compute(room, (k, members) -> {
            change[0] = members == null;
            change[1] = members == null || !members.containsKey(id);
            return joined(members, id, member);
        });
        if (change[0]) {
            report(events, RoomEvent.Kind.CREATED, room, null);
        }
        if (change[1]) {
            report(events, RoomEvent.Kind.JOINED, room, id);
        }
    }

    private void report(Consumer<RoomEvent> events, RoomEvent.Kind kind, String room, String id) {
        try {
            events.accept(new RoomEvent(namespace.name(), kind, room, id));
        } catch (RuntimeException e) {
            LOG.errorf(e, "A RoomEvent observer failed on %s of %s", kind, room);
        }
    }

    private static Set<String> joined(Set<String> mine, Set<String> toJoin) {
        if (mine == null) {
            mine = Set.of();
        }
        if (mine.containsAll(toJoin)) {
            return mine;
        }
        if (!(mine instanceof ConcurrentHashMap.KeySetView) && mine.size() + toJoin.size() <= SMALL) {
            Set<String> copy = new HashSet<>(mine);
            copy.addAll(toJoin);
            return Set.copyOf(copy);
        }
        Set<String> many = mine instanceof ConcurrentHashMap.KeySetView ? mine : ConcurrentHashMap.newKeySet(2 * SMALL);
        if (many != mine) {
            many.addAll(mine);
        }
        many.addAll(toJoin);
        return many;
    }

    private static Set<String> left(Set<String> mine, String room) {
        if (mine instanceof ConcurrentHashMap.KeySetView) {
            mine.remove(room);
            return mine;
        }
        if (!mine.contains(room)) {
            return mine;
        }
        Set<String> copy = new HashSet<>(mine);
        copy.remove(room);
        return Set.copyOf(copy);
    }

    /**
     * A room's members with one more: a room of one is an immutable map (most rooms are a socket's own, and a
     * concurrent map of one costs 130 bytes), a concurrent map from the second member on. Called in {@code compute}.
     */
    private static Map<String, Object> joined(Map<String, Object> members, String id, Object member) {
        if (members instanceof ConcurrentHashMap<String, Object> many) {
            many.put(id, member);
            return many;
        }
        if (members == null || members.containsKey(id)) {
            return Map.of(id, member);
        }
        Map<String, Object> many = new Partitions.Members(4);
        many.putAll(members);
        many.put(id, member);
        return many;
    }

    @Override
    public void del(String id, String room) {
        sids.computeIfPresent(id, (k, mine) -> left(mine, room));
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
        Consumer<RoomEvent> events = roomEvents();
        if (events != null) {
            removeObserved(id, room, events);
            return;
        }
        rooms.computeIfPresent(room, (k, members) -> {
            if (members instanceof ConcurrentHashMap<String, Object> many) {
                many.remove(id);
                return many.isEmpty() ? null : many;
            }
            return members.containsKey(id) ? null : members;
        });
    }

    /** {@link #removeFromRoom} when room changes are observed: what changed is reported after the change. */
    private void removeObserved(String id, String room, Consumer<RoomEvent> events) {
        boolean[] change = new boolean[2];
        rooms.computeIfPresent(room, (k, members) -> {
            Map<String, Object> after;
            if (members instanceof ConcurrentHashMap<String, Object> many) {
                change[0] = many.remove(id) != null;
                after = many.isEmpty() ? null : many;
            } else {
                change[0] = members.containsKey(id);
                after = change[0] ? null : members;
            }
            change[1] = after == null;
            return after;
        });
        if (change[0]) {
            report(events, RoomEvent.Kind.LEFT, room, id);
        }
        if (change[1]) {
            report(events, RoomEvent.Kind.DELETED, room, null);
        }
    }

    @Override
    public Set<String> socketRooms(String id) {
        Set<String> mine = sids.get(id);
        return mine == null ? Set.of() : mine instanceof ConcurrentHashMap.KeySetView ? Set.copyOf(mine) : mine;
    }

    @Override
    public Set<String> rooms() {
        return Set.copyOf(rooms.keySet());
    }

    /** Calls {@code action} once for each local socket the options select. */
    protected final void apply(BroadcastOptions options, Consumer<AdapterSocket> action) {
        Set<String> except = exceptIds(options.except());
        if (options.rooms().isEmpty()) {
            for (AdapterSocket socket : namespace.sockets()) {
                if (!except.contains(socket.id())) {
                    action.accept(socket);
                }
            }
            return;
        }
        Set<String> seen = options.rooms().size() > 1 ? new HashSet<>() : null;
        for (String room : options.rooms()) {
            Map<String, Object> members = rooms.get(room);
            if (members == null) {
                continue;
            }
            for (Map.Entry<String, Object> e : members.entrySet()) {
                String id = e.getKey();
                if (except.contains(id) || (seen != null && !seen.add(id))) {
                    continue;
                }
                AdapterSocket socket = e.getValue() instanceof AdapterSocket s ? s : namespace.socket(id);
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
            Map<String, Object> members = rooms.get(room);
            if (members != null) {
                ids.addAll(members.keySet());
            }
        }
        return ids;
    }

    /** About how many local sockets the options select, without visiting them. */
    private int expectedRecipients(BroadcastOptions options) {
        if (options.rooms().isEmpty()) {
            return namespace.sockets().size();
        }
        int n = 0;
        for (String room : options.rooms()) {
            Map<String, Object> members = rooms.get(room);
            n += members == null ? 0 : members.size();
        }
        return n;
    }

    /** The local sockets the options select. */
    public final List<AdapterSocket> localSockets(BroadcastOptions options) {
        List<AdapterSocket> found = new ArrayList<>();
        apply(options, found::add);
        return found;
    }

    // ---- operations on the local sockets

    /**
     * Rooms from this size on are broadcast to by the groups of their members ({@link Partitions}): below it, visiting
     * the members on one thread costs less than keeping and splitting a grouping.
     */
    static final int PARTITIONED = 64;

    /** Writes a packet to the selected local sockets. */
    public final void localBroadcast(Encoded packet, BroadcastOptions options) {
        if (options.rooms().size() == 1
                && rooms.get(options.rooms().iterator().next()) instanceof Partitions.Members room
                && room.size() >= PARTITIONED) {
            namespace.deliver(options.packet(packet), options.volatileFlag(), exceptIds(options.except()),
                    room.partitions(namespace));
            return;
        }
        LocalSockets.Delivery delivery = namespace.delivery(options.packet(packet), options.volatileFlag(),
                expectedRecipients(options));
        apply(options, delivery::add);
        delivery.finish();
    }

    /**
     * Writes an event to the selected local sockets with a new acknowledgement id, each expecting the answer under
     * it for the broadcast's {@code timeoutMs}; returns how many were reached. {@code answer} gets every argument of
     * each acknowledgement.
     */
    public final int localBroadcastWithAck(String event, Object[] args, BroadcastOptions options, long timeoutMs,
            Consumer<List<JsonNode>> answer) {
        long ackId = namespace.nextAckId();
        Encoded packet = options.packet(encoder.event(namespace.name(), ackId, event, args));
        List<AdapterSocket> reached = new ArrayList<>();
        apply(options, socket -> {
            socket.expectAck(ackId, answer);
            socket.write(packet, options.volatileFlag());
            reached.add(socket);
        });
        if (timeoutMs > 0 && !reached.isEmpty()) {
            // one timer for the broadcast rather than one a recipient: at the timeout the broadcast has failed by its
            // own, and the clients that never answered have their sockets let the acknowledgement go
            namespace.later(timeoutMs, () -> reached.forEach(socket -> socket.forgetAck(ackId)));
        }
        return reached.size();
    }

    public final void localAddSockets(BroadcastOptions options, Set<String> toJoin) {
        String[] joined = toJoin.toArray(String[]::new);
        apply(options, socket -> socket.join(joined));
    }

    public final void localDelSockets(BroadcastOptions options, Set<String> toLeave) {
        apply(options, socket -> toLeave.forEach(socket::leave));
    }

    public final void localDisconnectSockets(BroadcastOptions options, boolean close) {
        // collected first: a disconnect changes the rooms being walked
        localSockets(options).forEach(socket -> socket.disconnect(close));
    }

    // ---- Adapter: this process only

    @Override
    public void broadcast(Broadcast broadcast) {
        localBroadcast(broadcast.packet(), broadcast.options());
    }

    @Override
    public CompletionStage<List<List<JsonNode>>> broadcastWithAck(Broadcast broadcast, Duration timeout) {
        BroadcastAcks acks = requests.open(newAcks(broadcast.options()), timeout.toMillis());
        int reached = localBroadcastWithAck(broadcast.event(), broadcast.args(), broadcast.options(), timeout.toMillis(),
                values -> requests.answer(acks.id(), null, new BroadcastAcks.Answer(values)));
        requests.answer(acks.id(), SELF, new BroadcastAcks.Reached(reached));
        publishWithAck(broadcast, acks.id(), timeout);
        return acks.result();
    }

    /**
     * Who is told of room changes (created, joined, left, deleted), or null when nobody is: the application's
     * observers by default; a cluster adapter may add its own.
     */
    protected Consumer<RoomEvent> roomEvents() {
        return namespace.roomEvents();
    }

    /** The acknowledgement request of a broadcast: here, this process only. */
    protected BroadcastAcks newAcks(BroadcastOptions options) {
        return new BroadcastAcks(Set.of(SELF));
    }

    /** Sends a broadcast with acknowledgements to the other servers; none here. */
    protected void publishWithAck(Broadcast broadcast, long requestId, Duration timeout) {
    }

    @Override
    public Uni<List<RemoteSocket>> fetchSockets(BroadcastOptions options) {
        return Uni.createFrom().item(new ArrayList<>(localSockets(options)));
    }

    @Override
    public void addSockets(BroadcastOptions options, Set<String> toJoin) {
        localAddSockets(options, toJoin);
    }

    @Override
    public void delSockets(BroadcastOptions options, Set<String> toLeave) {
        localDelSockets(options, toLeave);
    }

    @Override
    public void disconnectSockets(BroadcastOptions options, boolean close) {
        localDisconnectSockets(options, close);
    }

    @Override
    public void serverSideEmit(String event, Object[] args) {
        // no other server in one process
    }

    @Override
    public Uni<List<JsonNode>> serverSideEmitWithAck(String event, Object[] args, Duration timeout) {
        return Uni.createFrom().item(List.of());
    }

    @Override
    public Uni<Integer> serverCount() {
        return Uni.createFrom().item(1);
    }
}
