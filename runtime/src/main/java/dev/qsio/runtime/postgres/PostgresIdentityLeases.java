package dev.qsio.runtime.postgres;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.jboss.logging.Logger;

import dev.qsio.runtime.adapter.IdentityLeases;
import io.vertx.core.Future;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;

/**
 * The leases of identities in PostgreSQL: a row per lease of {@code <prefix>_identity_leases} (identity, holder, the
 * time it expires by the database's clock), created when first needed. Taking one is a transaction that holds the
 * identity's advisory lock, forgets its expired leases, counts the rest and adds one below the cap, so two servers
 * taking the last place at once cannot both get it. Expired rows of identities nobody connects as any more are removed
 * when the table is next written for them, or by the next acquire of anyone every so often.
 */
final class PostgresIdentityLeases implements IdentityLeases {

    private static final Logger LOG = Logger.getLogger(PostgresIdentityLeases.class);

    private final Pool pool;
    private final String table;
    private volatile Future<Void> created;
    private final java.util.concurrent.atomic.AtomicLong acquired = new java.util.concurrent.atomic.AtomicLong();

    PostgresIdentityLeases(Pool pool, String prefix) {
        this.pool = pool;
        this.table = prefix + "_identity_leases";
    }

    /** Creates the table once, when missing; servers starting together may both try. */
    private Future<Void> table() {
        Future<Void> f = created;
        if (f == null || f.failed()) {
            f = pool.query("CREATE TABLE IF NOT EXISTS " + table + " (identity text NOT NULL, holder text NOT NULL, "
                    + "expires_at timestamptz NOT NULL, PRIMARY KEY (identity, holder))").execute().<Void> mapEmpty()
                    .recover(e -> e instanceof PgException pg
                            && ("23505".equals(pg.getSqlState()) || "42P07".equals(pg.getSqlState()))
                                    ? Future.succeededFuture()
                                    : Future.failedFuture(e));
            created = f;
        }
        return f;
    }

    @Override
    public Future<Boolean> acquire(String identity, String holder, int max, long leaseMs) {
        double seconds = leaseMs / 1000.0;
        boolean sweep = acquired.incrementAndGet() % 1000 == 0;
        return table().compose(v -> pool.withTransaction(c -> c.preparedQuery("SELECT pg_advisory_xact_lock(hashtext($1))")
                .execute(Tuple.of(table + "/" + identity))
                .compose(r -> c.preparedQuery("DELETE FROM " + table + " WHERE identity = $1 AND expires_at <= now()")
                        .execute(Tuple.of(identity)))
                .compose(r -> c.preparedQuery("SELECT count(*) AS n, bool_or(holder = $2) AS mine FROM " + table
                        + " WHERE identity = $1").execute(Tuple.of(identity, holder)))
                .compose(rows -> {
                    var row = rows.iterator().next();
                    boolean mine = Boolean.TRUE.equals(row.getBoolean("mine"));
                    if (!mine && row.getLong("n") >= max) {
                        return Future.succeededFuture(false);
                    }
                    return c.preparedQuery("INSERT INTO " + table + " (identity, holder, expires_at) VALUES ($1, $2, "
                            + "now() + make_interval(secs => $3)) ON CONFLICT (identity, holder) DO UPDATE SET "
                            + "expires_at = EXCLUDED.expires_at").execute(Tuple.of(identity, holder, seconds)).map(true);
                })))
                .onSuccess(ok -> {
                    if (sweep) {
                        pool.query("DELETE FROM " + table + " WHERE expires_at <= now()").execute()
                                .onFailure(e -> LOG.debugf("removing expired leases failed: %s", e.getMessage()));
                    }
                });
    }

    @Override
    public void release(String identity, String holder) {
        table().compose(v -> pool.preparedQuery("DELETE FROM " + table + " WHERE identity = $1 AND holder = $2")
                .execute(Tuple.of(identity, holder)))
                .onFailure(e -> LOG.debugf("releasing the lease of %s failed: %s", holder, e.getMessage()));
    }

    @Override
    public void renew(Map<String, Set<String>> held, long leaseMs) {
        if (held.isEmpty()) {
            return;
        }
        List<Tuple> rows = new ArrayList<>();
        double seconds = leaseMs / 1000.0;
        held.forEach((identity, holders) -> holders.forEach(h -> rows.add(Tuple.of(identity, h, seconds))));
        table().compose(v -> pool.preparedQuery("INSERT INTO " + table + " (identity, holder, expires_at) VALUES ($1, $2, "
                + "now() + make_interval(secs => $3)) ON CONFLICT (identity, holder) DO UPDATE SET expires_at = "
                + "EXCLUDED.expires_at").executeBatch(rows))
                .onFailure(e -> LOG.debugf("renewing %d leases failed: %s", rows.size(), e.getMessage()));
    }
}
