package dev.qsio.runtime.postgres;

import java.util.Set;

import io.vertx.pgclient.PgException;

/**
 * PostgreSQL refused this server for a reason that waiting cannot mend (a wrong password, a database that does not
 * exist, no right to create the tables): startup fails with the message and the configuration keys to look at.
 */
public final class PostgresMisconfiguration extends RuntimeException {

    /** The keys of the datasource this server uses, to name in messages. */
    record Keys(String url, String username, String password, String table) {
    }

    private final Set<String> keys;

    PostgresMisconfiguration(String message, Set<String> keys) {
        super(message);
        this.keys = keys;
    }

    /** The configuration keys a user should look at. */
    public Set<String> keys() {
        return keys;
    }

    /** A misconfiguration from what PostgreSQL answered, or null when the failure may pass (not reachable yet). */
    static PostgresMisconfiguration of(Throwable failure, Keys keys, String displayUrl) {
        if (!(failure instanceof PgException pg) || pg.getSqlState() == null) {
            return null;
        }
        String state = pg.getSqlState();
        String said = "PostgreSQL at " + displayUrl + " refused this server: " + pg.getErrorMessage() + " (SQLSTATE "
                + state + "). ";
        if (state.startsWith("28")) {
            return new PostgresMisconfiguration(said + "Check " + keys.username() + " and " + keys.password(),
                    Set.of(keys.username(), keys.password()));
        }
        if (state.equals("3D000")) {
            return new PostgresMisconfiguration(said + "Check the database named in " + keys.url(), Set.of(keys.url()));
        }
        if (state.equals("42501")) {
            return new PostgresMisconfiguration(said + "The user of " + keys.username() + " needs the right to create "
                    + "and write the tables of " + keys.table(), Set.of(keys.username(), keys.table()));
        }
        return null;
    }
}
