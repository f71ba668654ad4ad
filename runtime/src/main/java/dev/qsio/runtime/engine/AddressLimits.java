package dev.qsio.runtime.engine;

import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import org.jboss.logging.Logger;

import io.vertx.core.MultiMap;

/**
 * The limits on new sessions per remote address: handshakes per second (a token bucket of {@code rate} tokens a
 * second holding at most {@code burst}) and open sessions. A handshake costs one map lookup and one short lock on its
 * address's entry; requests of open sessions never come here.
 * <p>
 * The table of addresses stays bounded: an entry is dropped once it holds no session and its bucket is full again
 * (it then says nothing a new entry would not), by a sweep that runs at most every {@value #SWEEP_INTERVAL_SECONDS} s
 * when a new address arrives. When the table holds {@code maxAddresses}, a sweep (at most one a second) also drops the
 * entries that hold no session, whatever their bucket (their handshake counts are forgotten: only someone with that
 * many addresses gains from it, and per-address limits are no defence against them). Entries that hold sessions are
 * never dropped; while the table is full (they alone fill it, or the next sweep is not due), handshakes from
 * addresses not in it go through unlimited and uncounted: failing closed instead would let whoever fills the table
 * lock out every new user, while {@code max-connections} still bounds the sessions of the process.
 */
final class AddressLimits {

    private static final Logger LOG = Logger.getLogger(AddressLimits.class);

    static final long SWEEP_INTERVAL_SECONDS = 10;
    private static final long SWEEP_INTERVAL_NANOS = SWEEP_INTERVAL_SECONDS * 1_000_000_000L;
    /** How often a full table is swept at most: a sweep walks every entry. */
    private static final long FULL_SWEEP_INTERVAL_NANOS = 1_000_000_000L;
    private static final long LOG_INTERVAL_NANOS = 10_000_000_000L;
    /** What {@code Retry-After} says to a client at its sessions limit: it cannot know when one of them ends. */
    static final int SESSIONS_RETRY_AFTER_SECONDS = 5;

    /**
     * The settings, validated by {@link EngineOptions}; a value of 0 turns its limit off. {@code serverRate} and
     * {@code serverBurst} are the process's handshakes of all addresses together.
     */
    record Settings(double rate, int burst, int sessions, int maxAddresses, double serverRate, int serverBurst,
            boolean cooldowns) {

        static final Settings OFF = new Settings(0, 0, 0, 1, 0, 1, false);

        /** Limits per address only (the process's handshakes not limited, no cooldowns). */
        Settings(double rate, int burst, int sessions, int maxAddresses) {
            this(rate, burst, sessions, maxAddresses, 0, 1, false);
        }

        boolean enabled() {
            return perAddress() || serverRate > 0;
        }

        /** Whether addresses are tracked: a limit per address, or cooldowns ({@link #coolDown}) to keep. */
        boolean perAddress() {
            return rate > 0 || sessions > 0 || cooldowns;
        }
    }

    /** Why a handshake was refused, with the figure that counts it and the message its client gets. */
    enum Reason {
        RATE(EngineFigure.HANDSHAKES_REFUSED_RATE, "Too many handshakes from this address"),
        SESSIONS(EngineFigure.HANDSHAKES_REFUSED_SESSIONS, "Too many sessions from this address"),
        SERVER_RATE(EngineFigure.HANDSHAKES_REFUSED_SERVER_RATE, "Too many handshakes on this server"),
        COOLDOWN(EngineFigure.HANDSHAKES_REFUSED_COOLDOWN, "This address was rate limited");

        final EngineFigure figure;
        final String message;

        Reason(EngineFigure figure, String message) {
            this.figure = figure;
            this.message = message;
        }
    }

    /** A refusal: its reason and the seconds after which the client may try again. */
    record Refusal(Reason reason, int retryAfterSeconds) {
    }

    /** One address: its bucket and open sessions, guarded by the entry's lock. */
    static final class Entry {
        final String address;
        /** Null when handshakes per second are not limited. */
        private final TokenBucket handshakes;
        private int sessions;
        /** Until when (the clock's nanoseconds) the address may not open a session, after {@link #coolDown}. */
        private long coolUntil;
        private boolean cooling;
        /** Dropped from the table: whoever still holds it looks the address up again. */
        private boolean dropped;
        private long loggedAt;
        private int refusedSinceLogged;

        Entry(String address, Settings settings, long now) {
            this.address = address;
            this.handshakes = settings.rate > 0 ? new TokenBucket(settings.rate, settings.burst, now) : null;
            this.loggedAt = now - LOG_INTERVAL_NANOS;
        }
    }

    private final Settings settings;
    private final LongSupplier clock;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private final AtomicLong sweptAt;
    private final AtomicLong untrackedLoggedAt;
    /** The process's handshakes of all addresses together, guarded by itself; null when not limited. */
    private final TokenBucket server;
    private long serverLoggedAt;
    private int serverRefusedSinceLogged;

    AddressLimits(Settings settings) {
        this(settings, System::nanoTime);
    }

    /** Limits that read the time, in nanoseconds, from {@code clock} (tests). */
    AddressLimits(Settings settings, LongSupplier clock) {
        this.settings = settings;
        this.clock = clock;
        long now = clock.getAsLong();
        this.sweptAt = new AtomicLong(now - SWEEP_INTERVAL_NANOS);
        this.untrackedLoggedAt = new AtomicLong(now - LOG_INTERVAL_NANOS);
        this.server = settings.serverRate > 0 ? new TokenBucket(settings.serverRate, settings.serverBurst, now) : null;
        this.serverLoggedAt = now - LOG_INTERVAL_NANOS;
    }

    boolean enabled() {
        return settings.enabled();
    }

    /** The number of addresses the table holds. */
    int size() {
        return entries.size();
    }

    /**
     * Checks a handshake from {@code address} and, when it may go on, takes its token. Returns null when it may,
     * otherwise why not. {@code entry[0]} gets the address's entry, to count the session once it opens (null when
     * the address is not tracked, the table being full). {@code headers} (nullable) are the request's: a refusal
     * logged at INFO says when they show a proxy that the HTTP server does not take the client's address from.
     */
    Refusal admit(String address, Entry[] entry, MultiMap headers) {
        long now = clock.getAsLong();
        Refusal refused = settings.perAddress() ? admitAddress(address, entry, headers, now) : null;
        if (refused != null || server == null) {
            return refused;
        }
        // after the address's limits, so that one address's storm does not spend the budget of everyone
        int logged = 0;
        int retryAfter;
        synchronized (server) {
            if (server.take(1, now)) {
                return null;
            }
            retryAfter = Math.max(1, server.secondsUntil(1, now));
            serverRefusedSinceLogged++;
            if (now - serverLoggedAt >= LOG_INTERVAL_NANOS) {
                logged = serverRefusedSinceLogged;
                serverLoggedAt = now;
                serverRefusedSinceLogged = 0;
            }
        }
        if (logged > 0) {
            LOG.infof("Refused %d handshake%s (HTTP 429) over quarkus.socketio.limits.handshakes-per-second (%s a second "
                    + "for all addresses), the last from %s", logged, logged > 1 ? "s since the last such message" : "",
                    settings.serverRate, address);
        }
        entry[0] = null;
        return new Refusal(Reason.SERVER_RATE, retryAfter);
    }

    private Refusal admitAddress(String address, Entry[] entry, MultiMap headers, long now) {
        while (true) {
            Entry e = entries.get(address);
            Refusal refused;
            int logged = 0;
            if (e == null) {
                e = add(address, now);
                if (e == null) {
                    entry[0] = null;
                    return null;
                }
            }
            synchronized (e) {
                if (e.dropped) {
                    continue;
                }
                Refusal refusal = null;
                if (e.cooling && now - e.coolUntil < 0) {
                    refusal = new Refusal(Reason.COOLDOWN, (int) Math.max(1, (e.coolUntil - now + 999_999_999L) / 1_000_000_000L));
                } else if (settings.sessions > 0 && e.sessions >= settings.sessions) {
                    refusal = new Refusal(Reason.SESSIONS, SESSIONS_RETRY_AFTER_SECONDS);
                } else if (e.handshakes != null && !e.handshakes.take(1, now)) {
                    refusal = new Refusal(Reason.RATE, e.handshakes.secondsUntil(1, now));
                }
                if (refusal == null) {
                    entry[0] = e;
                    return null;
                }
                e.refusedSinceLogged++;
                if (now - e.loggedAt >= LOG_INTERVAL_NANOS) {
                    logged = e.refusedSinceLogged;
                    e.loggedAt = now;
                    e.refusedSinceLogged = 0;
                }
                refused = refusal;
            }
            // logged outside the entry's lock
            if (logged > 0) {
                LOG.infof("Refused a handshake from %s: %s (HTTP 429)%s%s", address,
                        switch (refused.reason()) {
                            case RATE -> "over " + settings.rate + " handshakes per second";
                            case COOLDOWN -> "a client of it was disconnected past quarkus.socketio.inbound limits "
                                    + "(quarkus.socketio.inbound.cooldown)";
                            default -> "at " + settings.sessions + " open sessions";
                        },
                        logged > 1 ? "; " + (logged - 1) + " more refused from this address since the last such message"
                                : "",
                        viaUntrustedProxy(address, headers) ? ". It came through a proxy whose headers the HTTP server does not read, so"
                                + " that all its clients count as one address: see quarkus.http.proxy.proxy-address-forwarding"
                                + " and trusted-proxies, or raise quarkus.socketio.limits" : "");
            } else {
                LOG.debugf("Refused a handshake from %s: %s", address, refused.reason());
            }
            return refused;
        }
    }

    /**
     * Whether a request carries a proxy's {@code Forwarded} or {@code X-Forwarded-For} header that does not name the
     * address it is counted under: the HTTP server did not take the client's address from it.
     */
    private static boolean viaUntrustedProxy(String address, MultiMap headers) {
        if (headers == null) {
            return false;
        }
        String forwarded = headers.get("forwarded");
        if (forwarded == null) {
            forwarded = headers.get("x-forwarded-for");
        }
        return forwarded != null && !forwarded.contains(address);
    }

    /** A session opened for a handshake {@link #admit} let through with {@code e}: it counts against its address. */
    Entry opened(Entry e) {
        while (true) {
            synchronized (e) {
                if (!e.dropped) {
                    e.sessions++;
                    return e;
                }
            }
            // dropped meanwhile (it held no session): count the session on the address's current entry
            Entry current = entries.get(e.address);
            e = current != null ? current : add(e.address, clock.getAsLong());
            if (e == null) {
                return null;
            }
        }
    }

    /**
     * The address of {@code e} may not open a session for {@code nanos} from now (a client of it was disconnected past
     * its inbound limits); a longer cooldown already running stays.
     */
    void coolDown(Entry e, long nanos) {
        long until = clock.getAsLong() + nanos;
        synchronized (e) {
            if (!e.cooling || until - e.coolUntil > 0) {
                e.coolUntil = until;
                e.cooling = true;
            }
        }
    }

    /** A session counted by {@link #opened} ended. */
    void closed(Entry e) {
        synchronized (e) {
            e.sessions--;
        }
    }

    /** A new entry for {@code address}; null when the table is full of entries holding sessions. */
    private Entry add(String address, long now) {
        long swept = sweptAt.get();
        boolean full = entries.size() >= settings.maxAddresses;
        if ((now - swept >= (full ? FULL_SWEEP_INTERVAL_NANOS : SWEEP_INTERVAL_NANOS)) && sweptAt.compareAndSet(swept, now)) {
            sweep(now, full);
            full = entries.size() >= settings.maxAddresses;
        }
        if (full) {
            Entry e = entries.get(address);
            if (e == null) {
                untracked(address, now);
            }
            return e;
        }
        return entries.computeIfAbsent(address, a -> new Entry(a, settings, now));
    }

    /** A handshake from a new address while the table is full: let through uncounted, logged at most every 10 s. */
    private void untracked(String address, long now) {
        long last = untrackedLoggedAt.get();
        if (now - last >= LOG_INTERVAL_NANOS && untrackedLoggedAt.compareAndSet(last, now)) {
            LOG.infof("The table of addresses holds %d addresses with open sessions (max-addresses): handshakes from"
                    + " new addresses such as %s are not limited per address until some close", entries.size(), address);
        }
    }

    /** Drops the entries that say nothing (see the class's comment); with {@code full}, every entry without a session. */
    private void sweep(long now, boolean full) {
        int dropped = 0;
        for (Iterator<Entry> it = entries.values().iterator(); it.hasNext();) {
            Entry e = it.next();
            synchronized (e) {
                if (e.sessions > 0) {
                    continue;
                }
                if (!full && (e.handshakes != null && !e.handshakes.full(now) || e.cooling && now - e.coolUntil < 0)) {
                    continue;
                }
                e.dropped = true;
                it.remove();
                dropped++;
            }
        }
        if (full) {
            LOG.debugf("The table of addresses reached %d entries: %d without a session dropped", settings.maxAddresses,
                    dropped);
        }
    }
}
