package dev.qsio.runtime.server;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.jboss.logging.Logger;

import dev.qsio.runtime.adapter.IdentityLeases;
import dev.qsio.runtime.config.SocketIoRuntimeConfig;
import io.quarkus.runtime.configuration.ConfigurationException;
import io.quarkus.security.identity.SecurityIdentity;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/**
 * The cap of open connections per authenticated identity across the fleet
 * ({@code quarkus.socketio.limits.sessions-per-identity}): a connection takes a place (a lease of its
 * {@link IdentityLeases}, the Engine.IO session id its holder) when its first socket of that identity connects to a
 * namespace, keeps it while it is open (renewed every third of {@code identity-lease}), and gives it up when it
 * closes. A connection over the cap is refused that namespace. When the leases cannot be reached (their service is
 * out), the connection is let in uncounted, and counted in {@code identityLeasesUnreachable}: the cap guards against
 * abuse, and is not worth refusing every user while Redis restarts.
 */
public final class IdentityCaps {

    private static final Logger LOG = Logger.getLogger(IdentityCaps.class);
    /** The {@code connect_error} message of a connection over the cap. */
    static final String REFUSAL = "Too many sessions for this user";
    /** How often, at most, a WARN says the leases are out of reach. */
    private static final long WARN_EVERY_MS = 60_000;

    private final IdentityLeases leases;
    private final ServerStats stats;
    private final int max;
    private final long leaseMs;
    private final Vertx vertx;
    private final long renewTimer;
    /** The places this server holds: connection id to the identities it holds a place for. */
    private final Map<String, Set<String>> held = new ConcurrentHashMap<>();
    private volatile long lastWarn;

    private IdentityCaps(IdentityLeases leases, ServerStats stats, int max, long leaseMs, Vertx vertx) {
        this.leases = leases;
        this.stats = stats;
        this.max = max;
        this.leaseMs = leaseMs;
        this.vertx = vertx;
        this.renewTimer = max > 0 ? vertx.setPeriodic(leaseMs / 3, t -> renew()) : -1;
    }

    /** Reads the configuration, checked at startup ({@link #check}). */
    static IdentityCaps from(SocketIoRuntimeConfig.Limits config, IdentityLeases leases, ServerStats stats, Vertx vertx) {
        check(config);
        return new IdentityCaps(leases, stats, config.sessionsPerIdentity().orElse(0), config.identityLease().toMillis(),
                vertx);
    }

    /** A bad value fails startup with a message naming its key. */
    static void check(SocketIoRuntimeConfig.Limits config) {
        if (config.sessionsPerIdentity().isPresent() && config.sessionsPerIdentity().getAsInt() < 1) {
            throw new ConfigurationException("quarkus.socketio.limits.sessions-per-identity must be at least 1 (leave "
                    + "it unset for no cap), got " + config.sessionsPerIdentity().getAsInt(),
                    Set.of("quarkus.socketio.limits.sessions-per-identity"));
        }
        Duration lease = config.identityLease();
        if (lease.compareTo(Duration.ofSeconds(3)) < 0) {
            throw new ConfigurationException("quarkus.socketio.limits.identity-lease must be at least 3 s, got " + lease,
                    Set.of("quarkus.socketio.limits.identity-lease"));
        }
    }

    /** The cap; 0 when there is none. */
    int max() {
        return max;
    }

    /** Whether a socket of {@code identity} takes a place: with a cap, when it is authenticated. */
    boolean applies(SecurityIdentity identity) {
        return max > 0 && identity != null && !identity.isAnonymous() && identity.getPrincipal() != null;
    }

    /**
     * Takes a place for {@code client}'s connection under {@code identity}'s name: true when it has one (already, or
     * now, or the leases are out of reach), false when the identity is at its cap. Never fails.
     */
    Future<Boolean> take(Client client, SecurityIdentity identity) {
        String name = identity.getPrincipal().getName();
        String holder = client.conn.id();
        Set<String> mine = held.get(holder);
        if (mine != null && mine.contains(name)) {
            return Future.succeededFuture(true);
        }
        return leases.acquire(name, holder, max, leaseMs).map(ok -> {
            if (ok) {
                held.computeIfAbsent(holder, h -> ConcurrentHashMap.newKeySet()).add(name);
                if (client.closed()) {
                    // closed while the lease was taken: nothing will give it up else
                    release(client);
                }
            } else {
                stats.increment(ServerFigure.CONNECTS_REFUSED_IDENTITY);
            }
            return ok;
        }).otherwise(failure -> {
            stats.increment(ServerFigure.IDENTITY_LEASES_UNREACHABLE);
            long now = System.currentTimeMillis();
            if (now - lastWarn > WARN_EVERY_MS) {
                lastWarn = now;
                LOG.warnf("quarkus.socketio.limits.sessions-per-identity: the leases could not be reached (%s); "
                        + "connections are let in uncounted meanwhile", failure.getMessage());
            }
            return true;
        });
    }

    /** Gives up the places of a connection that closed. */
    void release(Client client) {
        Set<String> names = held.remove(client.conn.id());
        if (names != null) {
            for (String name : names) {
                leases.release(name, client.conn.id());
            }
        }
    }

    private void renew() {
        if (held.isEmpty()) {
            return;
        }
        Map<String, Set<String>> byIdentity = new HashMap<>();
        held.forEach((holder, names) -> names.forEach(n -> byIdentity.computeIfAbsent(n, k -> new java.util.HashSet<>())
                .add(holder)));
        leases.renew(byIdentity, leaseMs);
    }

    /** Stops renewing (the server stops; its places expire where they are kept, or are given up as connections close). */
    void stop() {
        if (renewTimer >= 0) {
            vertx.cancelTimer(renewTimer);
        }
    }
}
