package dev.qsio.runtime.adapter;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
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
 * Sessions and the broadcast log in memory, both kept for the recovery window ({@code max-disconnection-duration})
 * and swept every few seconds; the log is also held under {@code max-log-bytes}, oldest entries first, and what that
 * trims is counted ({@link #trimmedEntries()}). One process uses it as its session store. The primary of a cluster on
 * the local bus keeps its host's sessions in one, for its workers: each session then has an owner (the worker that
 * stored it last), whose out-of-date writes for a session another worker restored since are ignored, and whose
 * connected sessions become disconnected ones when it exits ({@link #orphan}).
 */
public final class InMemorySessionStore implements SessionStore {

    /**
     * What an entry of the log takes on the heap beside its packet's bytes and its offset (the entry, the packet's
     * objects, its rooms), counted against {@code max-log-bytes} so that the cap bounds the heap the log takes: about
     * 300 bytes measured in the primary ({@code bin/campaign --recovery-cost}).
     */
    public static final int ENTRY_OVERHEAD = 300;

    /** The owner of every session of a store used by one process. */
    public static final String SELF = "";

    private record Entry(String offset, Encoded packet, Set<String> rooms, Set<String> except, long at, long bytes) {
    }

    private record Kept(Session session, long disconnectedAt, String owner) {
    }

    private final long windowMs;
    private final long maxLogBytes;
    private final boolean restoresConnected;
    private final AtomicLong offsets = new AtomicLong();
    private final String offsetPrefix = Long.toString(System.currentTimeMillis(), 36) + "-";
    /** The log of each namespace, oldest first; all guarded by the map's monitor. */
    private final Map<String, ArrayDeque<Entry>> logs = new HashMap<>();
    private final Map<String, Kept> sessions = new ConcurrentHashMap<>();
    private long logBytes;
    private long logEntries;
    private long trimmedEntries;
    private long trimmedBytes;

    /**
     * @param windowMs how long a disconnected session and a logged broadcast are kept
     * @param maxLogBytes the most the log holds (the packets' bytes, all namespaces together)
     * @param restoresConnected whether a session stored as connected may be restored: true where its connection may
     *        still be open on another server that has not noticed it is gone (the restoring server closes it)
     */
    public InMemorySessionStore(Vertx vertx, long windowMs, long maxLogBytes, boolean restoresConnected) {
        this(windowMs, maxLogBytes, restoresConnected);
        vertx.setPeriodic(Math.max(1, Math.min(windowMs, 5000)), t -> sweep());
    }

    /** A store that nothing sweeps ({@link #sweep()} is its owner's to call): a scratch one, left to the collector. */
    public InMemorySessionStore(long windowMs, long maxLogBytes, boolean restoresConnected) {
        this.windowMs = windowMs;
        this.maxLogBytes = maxLogBytes;
        this.restoresConnected = restoresConnected;
    }

    private static String key(String namespace, String pid) {
        return namespace + "#" + pid;
    }

    /** Forgets the sessions disconnected and the broadcasts logged longer ago than the window. */
    public void sweep() {
        long oldest = System.currentTimeMillis() - windowMs;
        sessions.values().removeIf(k -> k.disconnectedAt > 0 && k.disconnectedAt < oldest);
        synchronized (logs) {
            for (ArrayDeque<Entry> log : logs.values()) {
                while (!log.isEmpty() && log.peekFirst().at < oldest) {
                    drop(log.pollFirst());
                }
            }
            logs.values().removeIf(ArrayDeque::isEmpty);
        }
    }

    private void drop(Entry e) {
        logBytes -= e.bytes;
        logEntries--;
    }

    @Override
    public String nextOffset() {
        return offsetPrefix + offsets.incrementAndGet();
    }

    @Override
    public void append(String namespace, String offset, Encoded packet, BroadcastOptions options) {
        append(namespace, offset, packet, options.rooms(), options.except());
    }

    /** Logs a broadcast packet to the sockets of {@code rooms} (all when empty) but those of {@code except}. */
    public void append(String namespace, String offset, Encoded packet, Set<String> rooms, Set<String> except) {
        Entry entry = new Entry(offset, packet, rooms, except, System.currentTimeMillis(),
                packet.size() + offset.length() + ENTRY_OVERHEAD);
        synchronized (logs) {
            logs.computeIfAbsent(namespace, n -> new ArrayDeque<>()).addLast(entry);
            logBytes += entry.bytes;
            logEntries++;
            while (logBytes > maxLogBytes) {
                ArrayDeque<Entry> oldest = null;
                for (ArrayDeque<Entry> log : logs.values()) {
                    if (!log.isEmpty() && (oldest == null || log.peekFirst().at < oldest.peekFirst().at)) {
                        oldest = log;
                    }
                }
                if (oldest == null) {
                    break;
                }
                Entry e = oldest.pollFirst();
                drop(e);
                trimmedEntries++;
                trimmedBytes += e.bytes;
            }
        }
    }

    @Override
    public void save(String namespace, Session session) {
        save(namespace, session, SELF);
    }

    @Override
    public void disconnected(String namespace, Session session) {
        disconnected(namespace, session, SELF);
    }

    @Override
    public void forget(String namespace, String pid) {
        forget(namespace, pid, SELF);
    }

    /** Keeps a session that has just connected at {@code owner}, whoever stored it before. */
    public void claim(String namespace, Session session, String owner) {
        sessions.put(key(namespace, session.pid()), new Kept(session, 0, owner));
    }

    /** Keeps a connected session's state, unless another owner stored it since. */
    public void save(String namespace, Session session, String owner) {
        keepUnlessTaken(namespace, session, owner, 0);
    }

    /** Keeps a session's state at a disconnection it may recover from, unless another owner stored it since. */
    public void disconnected(String namespace, Session session, String owner) {
        keepUnlessTaken(namespace, session, owner, System.currentTimeMillis());
    }

    private void keepUnlessTaken(String namespace, Session session, String owner, long disconnectedAt) {
        sessions.compute(key(namespace, session.pid()),
                (k, was) -> was != null && !was.owner.equals(owner) ? was : new Kept(session, disconnectedAt, owner));
    }

    /** Forgets a session that left on purpose, unless another owner stored it since. */
    public void forget(String namespace, String pid, String owner) {
        sessions.computeIfPresent(key(namespace, pid), (k, was) -> was.owner.equals(owner) ? null : was);
    }

    /**
     * The server {@code owner} is gone (its process exited): its connected sessions are disconnected now, and their
     * window starts. Returns how many.
     */
    public int orphan(String owner) {
        long now = System.currentTimeMillis();
        int[] n = { 0 };
        sessions.replaceAll((k, kept) -> {
            if (kept.disconnectedAt == 0 && kept.owner.equals(owner)) {
                n[0]++;
                return new Kept(kept.session, now, owner);
            }
            return kept;
        });
        return n[0];
    }

    @Override
    public Uni<Restored> restore(String namespace, String pid, String offset) {
        return Uni.createFrom().item(restoreNow(namespace, pid, offset));
    }

    /**
     * Takes the session of {@code pid} and the packets after {@code offset}; null when it is unknown, expired, still
     * connected (unless this store restores connected sessions) or the offset is no longer in the log.
     */
    public Restored restoreNow(String namespace, String pid, String offset) {
        String key = key(namespace, pid);
        Kept kept = sessions.get(key);
        if (kept == null || (kept.disconnectedAt == 0 && !restoresConnected)
                || (kept.disconnectedAt > 0 && kept.disconnectedAt < System.currentTimeMillis() - windowMs)
                || !sessions.remove(key, kept)) {
            return null;
        }
        List<Logged> missed = after(namespace, kept.session.rooms(), offset);
        return missed == null ? null : new Restored(kept.session, missed);
    }

    @Override
    public Uni<List<Logged>> since(String namespace, Set<String> rooms, String offset) {
        return Uni.createFrom().item(sinceNow(namespace, rooms, offset));
    }

    /** The logged packets after {@code offset} that reached these rooms; empty when the offset is not in the log. */
    public List<Logged> sinceNow(String namespace, Set<String> rooms, String offset) {
        List<Logged> after = after(namespace, rooms, offset);
        return after == null ? List.of() : after;
    }

    /** The entries after {@code offset} that reached these rooms, or null when the offset is not in the log. */
    private List<Logged> after(String namespace, Set<String> rooms, String offset) {
        synchronized (logs) {
            ArrayDeque<Entry> log = logs.get(namespace);
            if (log == null) {
                return null;
            }
            List<Logged> missed = new ArrayList<>();
            boolean found = false;
            Iterator<Entry> it = log.iterator();
            while (it.hasNext()) {
                Entry e = it.next();
                if (found) {
                    if (SessionStore.reached(rooms, e.rooms, e.except)) {
                        missed.add(new Logged(e.offset, e.packet));
                    }
                } else if (e.offset.equals(offset)) {
                    found = true;
                }
            }
            return found ? missed : null;
        }
    }

    /** The sessions kept (connected and disconnected). */
    public int sessionsKept() {
        return sessions.size();
    }

    /** The broadcasts in the log, all namespaces. */
    public long logEntries() {
        synchronized (logs) {
            return logEntries;
        }
    }

    /** About the bytes the log holds. */
    public long logBytes() {
        synchronized (logs) {
            return logBytes;
        }
    }

    /** The broadcasts trimmed from the log by {@code max-log-bytes} before their window had passed. */
    public long trimmedEntries() {
        synchronized (logs) {
            return trimmedEntries;
        }
    }

    /** The bytes of {@link #trimmedEntries()}. */
    public long trimmedBytes() {
        synchronized (logs) {
            return trimmedBytes;
        }
    }
}
