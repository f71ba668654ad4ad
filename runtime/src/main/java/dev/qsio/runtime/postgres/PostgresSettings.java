package dev.qsio.runtime.postgres;

import java.util.Set;
import java.util.regex.Pattern;

import dev.qsio.runtime.config.Checks;
import io.quarkus.runtime.configuration.ConfigurationException;

/**
 * The rules of the {@code quarkus.socketio.postgres.*} settings, readable without the optional PostgreSQL client.
 */
public final class PostgresSettings {

    private static final Pattern TABLE = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)?");

    private PostgresSettings() {
    }

    /** A bad value of a {@code quarkus.socketio.postgres.*} setting fails startup with a message naming its key. */
    public static void check(PostgresConfig config) {
        String key = "quarkus.socketio.postgres.";
        identifier(config.tableName(), key + "table-name");
        identifier(config.recoveryTablePrefix(), key + "recovery-table-prefix");
        if (config.payloadThreshold() < 100 || config.payloadThreshold() > 8000) {
            throw new ConfigurationException(key + "payload-threshold must be between 100 and 8000 bytes (PostgreSQL "
                    + "refuses notifications of 8000 bytes or more): " + config.payloadThreshold(),
                    Set.of(key + "payload-threshold"));
        }
        Checks.positive(key + "cleanup-interval", config.cleanupInterval());
        Checks.positive(key + "heartbeat-interval", config.heartbeatInterval());
        Checks.positive(key + "reconnect-delay-max", config.reconnectDelayMax());
        if (config.heartbeatTimeout().compareTo(config.heartbeatInterval()) <= 0) {
            throw new ConfigurationException(key + "heartbeat-timeout must be longer than " + key + "heartbeat-interval",
                    Set.of(key + "heartbeat-timeout"));
        }
        if (config.channelPrefix().isBlank() || config.channelPrefix().chars().anyMatch(c -> c < 0x20)) {
            throw new ConfigurationException(key + "channel-prefix must not be blank nor hold control characters",
                    Set.of(key + "channel-prefix"));
        }
        config.datasource().ifPresent(name -> {
            if (name.isBlank()) {
                throw new ConfigurationException(key + "datasource must name a datasource (leave it unset for the "
                        + "default one)", Set.of(key + "datasource"));
            }
        });
    }

    private static String identifier(String name, String key) {
        if (!TABLE.matcher(name).matches()) {
            throw new ConfigurationException(key + " must be a table name (letters, digits and underscores, optionally "
                    + "after a schema and a dot): " + name, Set.of(key));
        }
        return name;
    }
}
