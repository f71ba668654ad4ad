package dev.qsio.runtime.clusteradapter;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import dev.qsio.runtime.adapter.SessionStore;
import dev.qsio.runtime.adapter.SessionStore.Logged;
import dev.qsio.runtime.clusteradapter.AdapterMessage.Selection;
import dev.qsio.runtime.protocol.ProtocolException;
import dev.qsio.runtime.protocol.ProtocolJson;

/**
 * The logged broadcasts this server delivered lately, in the order it delivered them, which is the order of the
 * Redis log. A client that comes back here is restored from this copy when its offset is in it, without reading the
 * log back from Redis and decoding it again: when a worker dies, all its clients come back at once, and each would
 * otherwise read and decode up to the whole window of the log. Kept for the recovery window, and at most
 * {@code maxEntries} per namespace; an offset older than what is kept is looked up in Redis.
 */
public final class RecentBroadcasts {

    private record Entry(String offset, EventPayload payload, Selection selection, long at) {
    }

    private final ProtocolJson json;
    private final long windowMs;
    private final int maxEntries;
    private final Map<String, ArrayDeque<Entry>> byNamespace = new ConcurrentHashMap<>();

    public RecentBroadcasts(ProtocolJson json, long windowMs, int maxEntries) {
        this.json = json;
        this.windowMs = windowMs;
        this.maxEntries = maxEntries;
    }

    /** A logged broadcast this server delivers; its last argument is {@code offset}. */
    public void add(String namespace, String offset, EventPayload payload, Selection selection) {
        ArrayDeque<Entry> log = byNamespace.computeIfAbsent(namespace, n -> new ArrayDeque<>());
        long now = System.currentTimeMillis();
        synchronized (log) {
            log.addLast(new Entry(offset, payload, selection, now));
            while (log.size() > maxEntries || (!log.isEmpty() && log.peekFirst().at < now - windowMs)) {
                log.pollFirst();
            }
        }
    }

    /**
     * The broadcasts after {@code offset} that reached a socket of these rooms, or null when {@code offset} is not
     * among the broadcasts kept (then the Redis log has to be read).
     */
    public List<Logged> after(String namespace, Set<String> rooms, String offset) {
        ArrayDeque<Entry> log = byNamespace.get(namespace);
        if (log == null) {
            return null;
        }
        List<Entry> found = new ArrayList<>();
        synchronized (log) {
            boolean seen = false;
            Iterator<Entry> it = log.iterator();
            while (it.hasNext()) {
                Entry e = it.next();
                if (seen) {
                    if (SessionStore.reached(rooms, e.selection.rooms(), e.selection.except())) {
                        found.add(e);
                    }
                } else if (e.offset.equals(offset)) {
                    seen = true;
                }
            }
            if (!seen) {
                return null;
            }
        }
        List<Logged> logged = new ArrayList<>(found.size());
        for (Entry e : found) {
            try {
                logged.add(new Logged(e.offset, e.payload.encoded(json, namespace)));
            } catch (ProtocolException ex) {
                // not an event: it was never delivered either
            }
        }
        return logged;
    }
}
