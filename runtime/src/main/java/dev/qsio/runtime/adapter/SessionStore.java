package dev.qsio.runtime.adapter;

import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.qsio.runtime.protocol.Encoded;
import io.smallrye.mutiny.Uni;

/**
 * Connection state recovery (Node's {@code connectionStateRecovery}): the state of sockets kept under their private
 * id, and the log of broadcast packets with their offsets, so that a client that reconnects within the window gets
 * its socket id, rooms, data and the packets it missed. In one process the store is in memory; on the
 * {@code redis} bus it lives in Redis (a key per session, a stream per namespace), so that the client may come back
 * to any worker of any host, even after the one it left was killed.
 */
public interface SessionStore {

    /** The store of an application without connection state recovery: it keeps nothing. */
    SessionStore NONE = new SessionStore() {
        @Override
        public boolean enabled() {
            return false;
        }

        @Override
        public String nextOffset() {
            throw new IllegalStateException("connection state recovery is off");
        }

        @Override
        public void append(String namespace, String offset, Encoded packet, BroadcastOptions options) {
        }

        @Override
        public void save(String namespace, Session session) {
        }

        @Override
        public void disconnected(String namespace, Session session) {
        }

        @Override
        public void forget(String namespace, String pid) {
        }

        @Override
        public Uni<Restored> restore(String namespace, String pid, String offset) {
            return Uni.createFrom().nullItem();
        }

        @Override
        public Uni<List<Logged>> since(String namespace, Set<String> rooms, String offset) {
            return Uni.createFrom().item(List.of());
        }
    };

    /** Whether connection state recovery is on. */
    default boolean enabled() {
        return true;
    }

    /** A socket's state, as it is restored. */
    record Session(String sid, String pid, Set<String> rooms, Map<String, Object> data) {
    }

    /** A logged packet and its offset. */
    record Logged(String offset, Encoded packet) {
    }

    /** A restored session and the packets it missed, in order (each with its offset as last argument). */
    record Restored(Session session, List<Logged> missed) {

        /** The offset the client will have seen last once the missed packets are sent. */
        public String lastOffset(String clientOffset) {
            return missed.isEmpty() ? clientOffset : missed.get(missed.size() - 1).offset();
        }
    }

    /** A new offset for a broadcast packet. */
    String nextOffset();

    /**
     * Records a broadcast packet whose last argument is {@code offset}. Stores whose adapter logs the packets as it
     * publishes them (Redis) ignore this.
     */
    void append(String namespace, String offset, Encoded packet, BroadcastOptions options);

    /**
     * Keeps the state of a socket that has just connected (new, or restored here). A store shared by servers makes
     * this server the session's owner, whoever stored it before: the client is here now.
     */
    default void claim(String namespace, Session session) {
        save(namespace, session);
    }

    /**
     * Keeps a connected socket's state again (at each change of its rooms, and periodically). A store shared by servers
     * leaves the session alone when another server claimed it since: the socket was restored there, and this server
     * holds its old connection, whose state is out of date.
     */
    void save(String namespace, Session session);

    /**
     * Keeps a socket's state at a disconnection it may recover from; as {@link #save}, only while no other server
     * claimed the session since.
     */
    void disconnected(String namespace, Session session);

    /**
     * Forgets a socket that left on purpose. A store shared by servers keeps the session when another server stored it
     * since: the socket was restored there, and what leaves here is its old connection.
     */
    void forget(String namespace, String pid);

    /**
     * Takes the session of {@code pid} and the packets after {@code offset}; {@code null} when it is unknown, expired,
     * or the offset is no longer in the log (the client then connects as a new socket).
     */
    Uni<Restored> restore(String namespace, String pid, String offset);

    /**
     * The logged packets after {@code offset} that reached a socket of these rooms; empty when the offset is not in
     * the log. A restored socket reads this once it has joined its rooms, to get what was broadcast meanwhile.
     */
    Uni<List<Logged>> since(String namespace, Set<String> rooms, String offset);

    /** Whether a broadcast of these options is logged: events without acknowledgement, not volatile. */
    static boolean logged(BroadcastOptions options) {
        return !options.volatileFlag();
    }

    /** Whether a socket of these rooms was a recipient of a broadcast of these options. */
    static boolean reached(Set<String> socketRooms, Set<String> rooms, Set<String> except) {
        for (String r : except) {
            if (socketRooms.contains(r)) {
                return false;
            }
        }
        if (rooms.isEmpty()) {
            return true;
        }
        for (String r : rooms) {
            if (socketRooms.contains(r)) {
                return true;
            }
        }
        return false;
    }
}
