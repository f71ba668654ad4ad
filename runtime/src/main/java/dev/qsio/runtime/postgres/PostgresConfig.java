package dev.qsio.runtime.postgres;

import java.time.Duration;
import java.util.Optional;

import io.quarkus.runtime.annotations.ConfigPhase;
import io.quarkus.runtime.annotations.ConfigRoot;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * The PostgreSQL of the {@code postgres} bus ({@code quarkus.socketio.bus=postgres}): the application's reactive
 * datasource ({@code quarkus-reactive-pg-client}), and the options of Node's {@code @socket.io/postgres-adapter} under
 * the same names, which every server of a fleet, Node or Quarkus, must share.
 */
@ConfigMapping(prefix = "quarkus.socketio.postgres")
@ConfigRoot(phase = ConfigPhase.RUN_TIME)
public interface PostgresConfig {

    /**
     * The name of the reactive datasource to use, as in {@code quarkus.datasource."name".reactive.url}; the default
     * datasource ({@code quarkus.datasource.reactive.url}, {@code quarkus.datasource.username},
     * {@code quarkus.datasource.password}) when unset. Its pool publishes; one more connection of its own, made with
     * the datasource's URL, user and password, listens.
     */
    Optional<String> datasource();

    /**
     * The prefix of the notification channels (Node's {@code channelPrefix}): a namespace's messages are notified on
     * {@code <prefix>#<namespace>}; the bus between servers uses {@code <prefix>-bus#}.
     */
    @WithDefault("socket.io")
    String channelPrefix();

    /**
     * The table of the payloads that do not fit in a notification (Node's {@code tableName}): those over
     * {@link #payloadThreshold()} and those with binary values, written msgpack-encoded, with only
     * {@code {uid, type, attachmentId}} notified. Created at startup when missing, with Node's columns
     * ({@code id bigserial}, {@code created_at timestamptz}, {@code payload bytea}).
     */
    @WithDefault("socket_io_attachments")
    String tableName();

    /**
     * The largest notification payload, in bytes (Node's {@code payloadThreshold}); a larger message goes through the
     * attachments table. PostgreSQL refuses payloads of 8000 bytes or more.
     */
    @WithDefault("8000")
    int payloadThreshold();

    /**
     * How often the attachments older than this are deleted (Node's {@code cleanupInterval}); a server that has not
     * read an attachment by then misses that message.
     */
    @WithDefault("30S")
    Duration cleanupInterval();

    /**
     * How often this server says, in each namespace, that it is there when it has sent nothing else (Node's
     * {@code heartbeatInterval}): the servers of a namespace count each other by these messages, and wait for each
     * other's answers to {@code fetchSockets} and {@code serverSideEmitWithAck}.
     */
    @WithDefault("5S")
    Duration heartbeatInterval();

    /**
     * How long without a message before a server is no longer counted (Node's {@code heartbeatTimeout}); requests stop
     * waiting for it.
     */
    @WithDefault("10S")
    Duration heartbeatTimeout();

    /**
     * The tables of connection state recovery, when it is on: {@code <prefix>_log} (the broadcasts, trimmed to the
     * recovery window) and {@code <prefix>_sessions}. Created at startup when missing. Node's PostgreSQL adapter has no
     * connection state recovery. The leases of {@code quarkus.socketio.limits.sessions-per-identity} are kept in
     * {@code <prefix>_identity_leases}, created when first needed.
     */
    @WithDefault("socket_io")
    String recoveryTablePrefix();

    /**
     * Whether the readiness check is DOWN while this server (in a cluster: any of its workers) is not listening on
     * PostgreSQL. Its clients are still served, but broadcasts to and from the other hosts are lost meanwhile. When
     * false, the check only reports the state in its data.
     */
    @WithDefault("true")
    boolean readiness();

    /** The longest wait between two attempts to listen again after the connection was lost. */
    @WithDefault("5S")
    Duration reconnectDelayMax();
}
