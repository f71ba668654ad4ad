package dev.qsio.runtime.adapter;

import java.util.Map;
import java.util.Set;

import io.vertx.core.Future;

/**
 * Where the servers of a fleet count the connections of each authenticated identity, so that
 * {@code quarkus.socketio.limits.sessions-per-identity} caps a user's connections across workers and hosts: a lease per
 * connection (its Engine.IO session id, the holder) under the identity's name, which expires unless the server that
 * took it renews it. A server that dies renews nothing: its leases count until they expire, a lease's length after its
 * last renewal. In one process the leases are in memory ({@link LocalIdentityLeases}); the workers of a host keep them
 * in their primary; a wire between hosts keeps them in its service (Redis, PostgreSQL).
 * <p>
 * Threads: any; the futures complete on a context of the implementation's, never blocking it.
 */
public interface IdentityLeases {

    /**
     * Takes a lease for connection {@code holder} of {@code identity}, for {@code leaseMs}, when fewer than {@code max}
     * live leases of that identity are held; a holder that has one already keeps it (and it is renewed). The future
     * is true when the holder now has its lease, false when the identity is at its cap; it fails when the leases
     * cannot be reached.
     */
    Future<Boolean> acquire(String identity, String holder, int max, long leaseMs);

    /** Gives up the lease of {@code holder} of {@code identity}, if it has one (its connection closed). */
    void release(String identity, String holder);

    /**
     * Extends by {@code leaseMs} from now the leases of this server: the holders of each identity, whose connections
     * are open. A lease the leases lost meanwhile (their service restarted, or was out longer than a lease) is taken
     * again, over the cap if it must: an open connection counts.
     */
    void renew(Map<String, Set<String>> held, long leaseMs);
}
