package dev.qsio.runtime.adapter;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import dev.qsio.runtime.protocol.Encoded;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;

/**
 * The session store of one process: sessions and the broadcast log in memory, both kept for the recovery window
 * ({@code max-disconnection-duration}) and swept every few seconds.
 */
public final class InMemorySessionStore implements SessionStore {

    private record Entry(String offset, Encoded packet, BroadcastOptions options, long at) {
    }

    private record Kept(Session session, long disconnectedAt) {
    }

    private final long windowMs;
    private final AtomicLong offsets = new AtomicLong();
    private final String offsetPrefix = Long.toString(System.currentTimeMillis(), 36) + "-";
    private final Map<String, Deque<Entry>> logs = new ConcurrentHashMap<>();
    private final Map<String, Kept> sessions = new ConcurrentHashMap<>();

    public InMemorySessionStore(Vertx vertx, long windowMs) {
        this.windowMs = windowMs;
        vertx.setPeriodic(Math.min(windowMs, 5000), t -> sweep());
    }

    private static String key(String namespace, String pid) {
        return namespace + "#" + pid;
    }

    private void sweep() {
        long oldest = System.currentTimeMillis() - windowMs;
        sessions.values().removeIf(k -> k.disconnectedAt > 0 && k.disconnectedAt < oldest);
        for (Deque<Entry> log : logs.values()) {
            synchronized (log) {
                while (!log.isEmpty() && log.peekFirst().at < oldest) {
                    log.pollFirst();
                }
            }
        }
    }

    @Override
    public String nextOffset() {
        return offsetPrefix + offsets.incrementAndGet();
    }

    @Override
    public void append(String namespace, String offset, Encoded packet, BroadcastOptions options) {
        Deque<Entry> log = logs.computeIfAbsent(namespace, n -> new ArrayDeque<>());
        synchronized (log) {
            log.addLast(new Entry(offset, packet, options, System.currentTimeMillis()));
        }
    }

    @Override
    public void save(String namespace, Session session) {
        sessions.put(key(namespace, session.pid()), new Kept(session, 0));
    }

    @Override
    public void disconnected(String namespace, Session session) {
        sessions.put(key(namespace, session.pid()), new Kept(session, System.currentTimeMillis()));
    }

    @Override
    public void forget(String namespace, String pid) {
        sessions.remove(key(namespace, pid));
    }

    @Override
    public Uni<Restored> restore(String namespace, String pid, String offset) {
        Kept kept = sessions.get(key(namespace, pid));
        if (kept == null || kept.disconnectedAt == 0
                || kept.disconnectedAt < System.currentTimeMillis() - windowMs
                || !sessions.remove(key(namespace, pid), kept)) {
            return Uni.createFrom().nullItem();
        }
        List<Logged> missed = after(namespace, kept.session.rooms(), offset);
        if (missed == null) {
            return Uni.createFrom().nullItem();
        }
        return Uni.createFrom().item(new Restored(kept.session, missed));
    }

    @Override
    public Uni<List<Logged>> since(String namespace, Set<String> rooms, String offset) {
        List<Logged> after = after(namespace, rooms, offset);
        return Uni.createFrom().item(after == null ? List.of() : after);
    }

    /** The entries after {@code offset} that reached these rooms, or null when the offset is not in the log. */
    private List<Logged> after(String namespace, Set<String> rooms, String offset) {
        Deque<Entry> log = logs.get(namespace);
        if (log == null) {
            return null;
        }
        List<Logged> missed = new ArrayList<>();
        synchronized (log) {
            boolean found = false;
            Iterator<Entry> it = log.iterator();
            while (it.hasNext()) {
                Entry e = it.next();
                if (found) {
                    if (SessionStore.reached(rooms, e.options.rooms(), e.options.except())) {
                        missed.add(new Logged(e.offset, e.packet));
                    }
                } else if (e.offset.equals(offset)) {
                    found = true;
                }
            }
            return found ? missed : null;
        }
    }
}
