package dev.qsio.runtime.redis;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

import dev.qsio.runtime.adapter.InMemorySessionStore;
import dev.qsio.runtime.adapter.SessionStore;
import dev.qsio.runtime.adapter.SessionStore.Logged;
import dev.qsio.runtime.protocol.Encoded;

/**
 * The recent logged broadcasts of the adapter's stream, as this server's reader read them, so that a restoration reads
 * what its client missed here rather than from Redis. Every server reads every entry of the stream anyway; without
 * this, each recovered client read its own copy of the same pages again (up to a thousand entries a page, most of them
 * acknowledgements and heartbeats that recovery leaves out), and a herd of a thousand clients queued thousands of such
 * reads on the one connection that this server's publications and heartbeats take too.
 * <p>
 * The tail answers for an offset only when it holds every broadcast after it: from the first entry its reader read
 * (or the newest entry it dropped since) up to the last one. An older offset, or one after the reader's last entry, is
 * read from Redis as before. Entries are dropped past the recovery window, and oldest first past the log's byte cap
 * ({@code max-log-bytes}); a reader that lost its place (its connection failed) starts the tail again.
 */
final class StreamTail {

    /** A logged broadcast of the stream: its entry's id, namespace, recipients and packet (with the id as offset). */
    record Broadcast(String id, String namespace, Set<String> rooms, Set<String> except, Encoded packet) {
    }

    private record Kept(long[] id, Broadcast broadcast, long at, long bytes) {
    }

    private final long windowMs;
    private final long maxBytes;
    private final ArrayDeque<Kept> kept = new ArrayDeque<>();
    /** Every broadcast with an id after this one (or this one, see {@link #coveredFrom}) up to {@link #last} is kept. */
    private long[] coveredFrom;
    /** The last entry read; null before the first. */
    private long[] last;
    private long bytes;
    private long served;
    private long missed;

    StreamTail(long windowMs, long maxBytes) {
        this.windowMs = windowMs;
        this.maxBytes = maxBytes;
    }

    /**
     * The reader read the entry {@code id}, in the stream's order; {@code broadcast} is the logged broadcast it holds,
     * or null (any other message).
     */
    synchronized void read(String id, Broadcast broadcast) {
        long[] parsed = StreamEntries.parseId(id);
        if (parsed == null) {
            return;
        }
        if (last == null) {
            // what came before this entry was never read here: an offset is answered from this entry on
            coveredFrom = parsed;
        }
        last = parsed;
        long now = System.currentTimeMillis();
        if (broadcast != null) {
            long size = broadcast.packet().size() + id.length() + InMemorySessionStore.ENTRY_OVERHEAD;
            kept.addLast(new Kept(parsed, broadcast, now, size));
            bytes += size;
        }
        while (!kept.isEmpty() && (bytes > maxBytes || kept.peekFirst().at < now - windowMs)) {
            Kept dropped = kept.pollFirst();
            bytes -= dropped.bytes;
            // a client whose offset is the dropped entry saw it, and misses nothing dropped: it is still answered
            coveredFrom = dropped.id;
        }
    }

    /** The reader lost its place (its connection failed): what it reads next may not follow what it read before. */
    synchronized void restart() {
        kept.clear();
        bytes = 0;
        coveredFrom = null;
        last = null;
    }

    /**
     * The broadcasts of a namespace after {@code offset} that reached a socket of these rooms, oldest first; null when
     * the tail does not hold every broadcast after it (the caller reads Redis then).
     */
    synchronized List<Logged> after(String namespace, Set<String> socketRooms, String offset) {
        long[] from = StreamEntries.parseId(offset);
        if (from == null || coveredFrom == null || StreamEntries.compareIds(from, coveredFrom) < 0
                || StreamEntries.compareIds(from, last) > 0) {
            missed++;
            return null;
        }
        served++;
        List<Logged> after = new ArrayList<>();
        // newest first, down to the offset: a client misses the last few seconds, not the whole window
        for (Iterator<Kept> it = kept.descendingIterator(); it.hasNext();) {
            Kept k = it.next();
            if (StreamEntries.compareIds(k.id, from) <= 0) {
                break;
            }
            Broadcast b = k.broadcast;
            if (b.namespace.equals(namespace) && SessionStore.reached(socketRooms, b.rooms, b.except)) {
                after.add(new Logged(b.id, b.packet));
            }
        }
        Collections.reverse(after);
        return after;
    }

    /** How many broadcasts are kept. */
    synchronized int size() {
        return kept.size();
    }

    /** About the bytes they take. */
    synchronized long bytes() {
        return bytes;
    }

    /** How many reads of what a client missed were answered here, and how many went to Redis. */
    synchronized long[] answered() {
        return new long[] { served, missed };
    }
}
