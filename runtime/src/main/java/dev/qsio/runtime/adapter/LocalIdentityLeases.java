package dev.qsio.runtime.adapter;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

import io.vertx.core.Future;

/**
 * The leases of identities kept in this process's memory: those of a single process, and those a primary keeps for
 * the workers of its host. Expiry is read when an identity's leases are counted, and the expired are forgotten then.
 */
public final class LocalIdentityLeases implements IdentityLeases {

    /** The leases of each identity: holder to the time (ms, {@link #clock}) it expires. */
    private final Map<String, Map<String, Long>> leases = new HashMap<>();
    private final LongSupplier clock;

    public LocalIdentityLeases() {
        this(System::currentTimeMillis);
    }

    /** With a clock of its own, in ms: for tests. */
    public LocalIdentityLeases(LongSupplier clock) {
        this.clock = clock;
    }

    @Override
    public Future<Boolean> acquire(String identity, String holder, int max, long leaseMs) {
        return Future.succeededFuture(take(identity, holder, max, leaseMs));
    }

    /** {@link #acquire} at once. */
    public synchronized boolean take(String identity, String holder, int max, long leaseMs) {
        long now = clock.getAsLong();
        Map<String, Long> held = leases.computeIfAbsent(identity, i -> new HashMap<>());
        held.values().removeIf(expiry -> expiry <= now);
        if (!held.containsKey(holder) && held.size() >= max) {
            return false;
        }
        held.put(holder, now + leaseMs);
        return true;
    }

    @Override
    public synchronized void release(String identity, String holder) {
        Map<String, Long> held = leases.get(identity);
        if (held != null) {
            held.remove(holder);
            if (held.isEmpty()) {
                leases.remove(identity);
            }
        }
    }

    @Override
    public synchronized void renew(Map<String, Set<String>> held, long leaseMs) {
        long expiry = clock.getAsLong() + leaseMs;
        held.forEach((identity, holders) -> {
            Map<String, Long> leased = leases.computeIfAbsent(identity, i -> new HashMap<>());
            for (String holder : holders) {
                leased.merge(holder, expiry, Math::max);
            }
        });
    }

    /** Forgets the identities whose every lease expired, so that memory follows the live ones. */
    public synchronized void sweep() {
        long now = clock.getAsLong();
        for (Iterator<Map<String, Long>> it = leases.values().iterator(); it.hasNext();) {
            Map<String, Long> held = it.next();
            held.values().removeIf(expiry -> expiry <= now);
            if (held.isEmpty()) {
                it.remove();
            }
        }
    }

    /** Whether {@code holder} has a live lease of {@code identity}. */
    public synchronized boolean holds(String identity, String holder) {
        Map<String, Long> held = leases.get(identity);
        Long expiry = held == null ? null : held.get(holder);
        return expiry != null && expiry > clock.getAsLong();
    }

    /** The live leases of {@code identity}. */
    public synchronized int count(String identity) {
        long now = clock.getAsLong();
        Map<String, Long> held = leases.get(identity);
        return held == null ? 0 : (int) held.values().stream().filter(e -> e > now).count();
    }
}
