package dev.qsio.runtime.adapter;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The members of a large room grouped by where they live ({@link AdapterSocket#home()}: the thread of their
 * connection), kept until the room changes. A broadcast to the room then hands each group to its own thread, which
 * visits those members once, instead of one thread visiting them all and handing the writes over. The adapter only
 * groups; the namespace decides where each group runs ({@link LocalSockets#deliver}).
 * <p>
 * Immutable but for {@link #misplaced()}: a member whose home changed since (a connection upgraded from polling)
 * still gets its packets, by a hop more, until the next broadcast groups the room again.
 */
public final class Partitions {

    private final int version;
    private final Object[] homes;
    private final AdapterSocket[][] members;
    private final int total;
    private volatile boolean stale;

    private Partitions(int version, Object[] homes, AdapterSocket[][] members, int total, boolean stale) {
        this.version = version;
        this.homes = homes;
        this.members = members;
        this.total = total;
        this.stale = stale;
    }

    /** How many groups. */
    public int size() {
        return homes.length;
    }

    /** Where the members of group {@code i} live; null for those that have no home (polling). */
    public Object home(int i) {
        return homes[i];
    }

    /** The members of group {@code i}. */
    public AdapterSocket[] members(int i) {
        return members[i];
    }

    /** The members of every group. */
    public int total() {
        return total;
    }

    /** A member was found elsewhere than its group says: the room is grouped again at its next broadcast. */
    public void misplaced() {
        stale = true;
    }

    /**
     * A room's members: a concurrent map (socket id to the socket, or to a marker where only the id is known) that
     * counts its changes and keeps its members' grouping until the next change. Changed only under the room index's
     * lock for the room ({@code compute}), so that the count needs no atomic update; the count is raised after the
     * change, so a grouping made at a count has seen every change before it.
     */
    static final class Members extends ConcurrentHashMap<String, Object> {

        private static final long serialVersionUID = 1L;

        private volatile int version;
        private transient volatile Partitions partitions;

        Members(int capacity) {
            super(capacity);
        }

        @Override
        public Object put(String id, Object member) {
            Object before = super.put(id, member);
            version++;
            return before;
        }

        @Override
        public Object remove(Object id) {
            Object before = super.remove(id);
            if (before != null) {
                version++;
            }
            return before;
        }

        /** The grouping of the members now: the one kept when nothing changed since, otherwise a new one. */
        Partitions partitions(LocalSockets namespace) {
            int v = version;
            Partitions p = partitions;
            if (p != null && p.version == v && !p.stale) {
                return p;
            }
            p = group(v, this, namespace);
            partitions = p;
            return p;
        }
    }

    /** Groups the members by home; a member known by id only is looked up (and the grouping not kept if absent). */
    private static Partitions group(int version, Map<String, Object> room, LocalSockets namespace) {
        List<Object> homes = new ArrayList<>(2);
        List<List<AdapterSocket>> groups = new ArrayList<>(2);
        boolean unresolved = false;
        int total = 0;
        for (Map.Entry<String, Object> e : room.entrySet()) {
            AdapterSocket socket = e.getValue() instanceof AdapterSocket s ? s : namespace.socket(e.getKey());
            if (socket == null) {
                unresolved = true;
                continue;
            }
            Object home = socket.home();
            int i = homes.indexOf(home);
            if (i < 0) {
                i = homes.size();
                homes.add(home);
                groups.add(new ArrayList<>(room.size() / 2 + 1));
            }
            groups.get(i).add(socket);
            total++;
        }
        AdapterSocket[][] members = new AdapterSocket[groups.size()][];
        for (int i = 0; i < members.length; i++) {
            members[i] = groups.get(i).toArray(AdapterSocket[]::new);
        }
        return new Partitions(version, homes.toArray(), members, total, unresolved);
    }
}
