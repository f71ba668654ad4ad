package dev.qsio.runtime.postgres;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.regex.Pattern;

import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.qsio.runtime.adapter.AdapterFactory;
import dev.qsio.runtime.adapter.SessionStore;
import dev.qsio.runtime.bus.PubSubBus;
import dev.qsio.runtime.clusteradapter.AdapterMessage;
import dev.qsio.runtime.clusteradapter.ClusterAdapterMessages;
import dev.qsio.runtime.clusteradapter.ClusterAdapters;
import dev.qsio.runtime.protocol.ProtocolException;
import dev.qsio.runtime.protocol.ProtocolJson;
import io.quarkus.arc.Arc;
import io.quarkus.arc.InjectableInstance;
import io.quarkus.reactive.datasource.ReactiveDataSource;
import io.quarkus.runtime.configuration.ConfigurationException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;

/**
 * The {@code postgres} wire ({@code quarkus.socketio.bus=postgres}): everything a server needs to be one of a fleet
 * on PostgreSQL, made from the configuration once at startup. Its parts:
 * <ul>
 * <li>{@link PostgresChannels}: the listening connection, the publishing through the application's pool, the
 * attachments table;</li>
 * <li>the bus between servers ({@link PubSubBus} over those channels: membership, the engine's messages, and the
 * liveness check of the listening connection by this server's own heartbeats);</li>
 * <li>{@link PostgresTransport}: the cluster adapter's messages in the format of Node's
 * {@code @socket.io/postgres-adapter};</li>
 * <li>{@link PostgresSessionStore}: connection state recovery, when it is on;</li>
 * <li>{@link #state()}: what readiness, the cluster endpoint and the meters report.</li>
 * </ul>
 * A wrong datasource (none configured, an unknown name, a pool that cannot be had, a wrong password or database)
 * fails startup with a message naming the key; an unreachable one does not: the server starts, serves its own
 * clients, reports not ready, and joins the fleet when PostgreSQL answers.
 */
public final class PostgresWire {

    private static final Logger LOG = Logger.getLogger(PostgresWire.class);

    private static final Pattern TABLE = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)?");
    static final String DATASOURCE_KEY = "quarkus.socketio.postgres.datasource";

    /** What readiness and the meters report of the wire. */
    public record State(boolean up, int members, String displayUrl, String lastError, long outages, long dropped,
            long published, long batches) {
    }

    private final Vertx vertx;
    private final PostgresConfig config;
    private final PostgresChannels channels;
    private final PubSubBus bus;
    private final PostgresSessionStore recovery;

    private PostgresWire(Vertx vertx, PostgresConfig config, PostgresChannels channels, PubSubBus bus,
            PostgresSessionStore recovery) {
        this.vertx = vertx;
        this.config = config;
        this.channels = channels;
        this.bus = bus;
        this.recovery = recovery;
    }

    /**
     * Makes the wire of this server (not yet connected: {@link #start()}); fails with a {@link ConfigurationException}
     * naming the key when the configuration cannot work.
     */
    public static PostgresWire create(Vertx vertx, PostgresConfig config, ProtocolJson json, String nodeId, int workerId,
            Duration heartbeat, Duration heartbeatTimeout, long recoveryWindowMs) {
        requireClient("quarkus.socketio.bus");
        String table = identifier(config.tableName(), "quarkus.socketio.postgres.table-name");
        String recoveryPrefix = identifier(config.recoveryTablePrefix(), "quarkus.socketio.postgres.recovery-table-prefix");
        if (config.payloadThreshold() < 100 || config.payloadThreshold() > 8000) {
            throw new ConfigurationException("quarkus.socketio.postgres.payload-threshold must be between 100 and 8000 "
                    + "bytes (PostgreSQL refuses notifications of 8000 bytes or more): " + config.payloadThreshold(),
                    Set.of("quarkus.socketio.postgres.payload-threshold"));
        }
        if (config.heartbeatTimeout().compareTo(config.heartbeatInterval()) <= 0) {
            throw new ConfigurationException("quarkus.socketio.postgres.heartbeat-timeout must be longer than "
                    + "quarkus.socketio.postgres.heartbeat-interval", Set.of("quarkus.socketio.postgres.heartbeat-timeout"));
        }
        if (config.channelPrefix().isEmpty() || config.channelPrefix().contains("\u0000")) {
            throw new ConfigurationException("quarkus.socketio.postgres.channel-prefix must not be empty",
                    Set.of("quarkus.socketio.postgres.channel-prefix"));
        }
        Datasource ds = Datasource.of(config.datasource());
        Pool pool = ds.pool();
        PostgresChannels.RecoveryTables tables = recoveryWindowMs > 0
                ? new PostgresChannels.RecoveryTables(recoveryPrefix + "_log", recoveryPrefix + "_sessions", recoveryWindowMs)
                : null;
        PostgresChannels channels = new PostgresChannels(vertx, new PostgresChannels.Setup(pool, ds.listenOptions(),
                ds.displayUrl(), ds.keys(table), table, tables, config.payloadThreshold(), config.cleanupInterval(),
                config.reconnectDelayMax()));
        PubSubBus bus = new PubSubBus(vertx, channels, "PostgreSQL", config.channelPrefix(), nodeId, workerId, heartbeat,
                heartbeatTimeout);
        PostgresSessionStore recovery = tables == null ? null : new PostgresSessionStore(json, pool, bus.self(), tables);
        return new PostgresWire(vertx, config, channels, bus, recovery);
    }

    /** Fails naming {@code key} when the application does not have {@code quarkus-reactive-pg-client}. */
    private static void requireClient(String key) {
        try {
            Class.forName("io.quarkus.reactive.datasource.ReactiveDataSource", false, PostgresWire.class.getClassLoader());
            Class.forName("io.vertx.pgclient.PgConnection", false, PostgresWire.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new ConfigurationException(key + "=postgres needs the application's reactive PostgreSQL client: add "
                    + "the io.quarkus:quarkus-reactive-pg-client extension", Set.of(key));
        }
    }

    private static String identifier(String name, String key) {
        if (!TABLE.matcher(name).matches()) {
            throw new ConfigurationException(key + " must be a table name (letters, digits and underscores, optionally "
                    + "after a schema and a dot): " + name, Set.of(key));
        }
        return name;
    }

    /** The bus between the servers of the fleet. */
    public PubSubBus bus() {
        return bus;
    }

    /** The namespaces' adapters, in the format of Node's PostgreSQL adapter. */
    public AdapterFactory adapters(ClusterAdapters.Parts parts) {
        return ClusterAdapters.over(new PostgresTransport(vertx, bus, channels, parts.json(),
                config.channelPrefix(), config.heartbeatInterval(), config.heartbeatTimeout(), recovery), parts);
    }

    /** Connection state recovery's store, or {@link SessionStore#NONE} when it is off. */
    public SessionStore sessions() {
        return recovery == null ? SessionStore.NONE : recovery;
    }

    /**
     * An emitter's publisher on PostgreSQL ({@link dev.qsio.SocketIoEmitter}): the messages of Node's
     * {@code @socket.io/postgres-adapter}, from {@code emitter} as Node's emitters sign them but with their namespace
     * (Node's adapter drops the messages of Node's postgres emitter 0.1, which have none), through the application's
     * pool and the attachments table; nothing is listened to.
     */
    public static Consumer<AdapterMessage> emitter(Vertx vertx, PostgresConfig config, ProtocolJson json) {
        requireClient("quarkus.socketio.emitter.bus");
        String table = identifier(config.tableName(), "quarkus.socketio.postgres.table-name");
        Datasource ds = Datasource.of(config.datasource());
        PostgresChannels channels = new PostgresChannels(vertx, new PostgresChannels.Setup(ds.pool(), null,
                ds.displayUrl(), ds.keys(table), table, null, config.payloadThreshold(), config.cleanupInterval(),
                config.reconnectDelayMax()));
        ClusterAdapterMessages messages = new ClusterAdapterMessages(json, PostgresTransport.EMITTER);
        AtomicLong sequence = new AtomicLong();
        channels.start().onFailure(e -> LOG.errorf("Socket.IO emitter: %s", e.getMessage()));
        return message -> {
            try {
                ObjectNode m = NodePostgresFormat.stamp(messages.encode(message, false), sequence.incrementAndGet());
                String channel = PostgresTransport.channel(config.channelPrefix(), m.path("nsp").asText());
                NodePostgresFormat.Notified notified = NodePostgresFormat.encode(messages.wire(), m,
                        config.payloadThreshold());
                if (notified instanceof NodePostgresFormat.Attached a) {
                    channels.notifyAttached(channel, a.body(), id -> a.header(messages.wire().json, id), null);
                } else {
                    channels.notify(channel, ((NodePostgresFormat.Text) notified).payload());
                }
            } catch (ProtocolException | IOException e) {
                throw new IllegalArgumentException("Cannot encode a " + message.getClass().getSimpleName() + ": "
                        + e.getMessage(), e);
            }
        };
    }

    /** Whether readiness is DOWN while this server is not listening ({@code quarkus.socketio.postgres.readiness}). */
    public boolean readiness() {
        return config.readiness();
    }

    /**
     * Connects: completes when listening, or fails with a {@link PostgresMisconfiguration} when waiting cannot help;
     * otherwise keeps trying in the background.
     */
    public Future<Void> start() {
        return bus.start();
    }

    public State state() {
        return new State(bus.isUp(), bus.members().size(), channels.displayUrl(), channels.lastError(), channels.outages(),
                channels.dropped(), channels.published(), channels.batches());
    }

    /** Says goodbye and closes the listening connection (the pool is the application's). */
    public void close() {
        bus.close();
    }

    /** The application's reactive datasource that this wire uses. */
    private record Datasource(String name, String urlKey, String usernameKey, String passwordKey, String url,
            Optional<String> username, Optional<String> password) {

        static Datasource of(Optional<String> named) {
            Config cfg = ConfigProvider.getConfig();
            String base = named.map(n -> "quarkus.datasource.\"" + n + "\".").orElse("quarkus.datasource.");
            String urlKey = base + "reactive.url";
            Optional<String> url = value(cfg, urlKey);
            if (url.isEmpty()) {
                String message = named.map(n -> DATASOURCE_KEY + "=" + n + " names a reactive datasource that is not "
                        + "configured: set " + urlKey + " (and the quarkus-reactive-pg-client extension), or name another")
                        .orElse("quarkus.socketio.bus=postgres uses the application's reactive PostgreSQL datasource, which "
                                + "is not configured: set quarkus.datasource.reactive.url (postgresql://host:5432/database), "
                                + "or name another datasource with " + DATASOURCE_KEY);
                throw new ConfigurationException(message, named.isPresent() ? Set.of(DATASOURCE_KEY, urlKey)
                        : Set.of(urlKey, DATASOURCE_KEY));
            }
            return new Datasource(named.orElse(null), urlKey, base + "username", base + "password", url.get(),
                    value(cfg, base + "username"), value(cfg, base + "password"));
        }

        /** A value under a named datasource's key, written with or without the quotes around the name. */
        private static Optional<String> value(Config cfg, String key) {
            Optional<String> v = cfg.getOptionalValue(key, String.class);
            return v.isPresent() ? v : cfg.getOptionalValue(key.replace("\"", ""), String.class);
        }

        String dbKindKey() {
            return name == null ? "quarkus.datasource.db-kind" : "quarkus.datasource.\"" + name + "\".db-kind";
        }

        PostgresMisconfiguration.Keys keys(String table) {
            return new PostgresMisconfiguration.Keys(urlKey, usernameKey, passwordKey,
                    "quarkus.socketio.postgres.table-name (" + table + ")");
        }

        Pool pool() {
            InjectableInstance<Pool> pools = name == null ? Arc.container().select(Pool.class)
                    : Arc.container().select(Pool.class, new ReactiveDataSource.ReactiveDataSourceLiteral(name));
            Set<String> keys = name == null ? Set.of(urlKey) : Set.of(DATASOURCE_KEY, urlKey);
            String which = name == null ? "The default reactive datasource" : "The reactive datasource " + name;
            if (pools.isUnsatisfied()) {
                throw new ConfigurationException(which + " has no pool: is it a PostgreSQL datasource with its reactive "
                        + "client (quarkus-reactive-pg-client, and " + dbKindKey() + "=postgresql at build time when Dev "
                        + "Services are off)? See " + String.join(" and ", keys), keys);
            }
            try {
                return pools.get();
            } catch (RuntimeException e) {
                throw new ConfigurationException(which + " cannot be used: " + e.getMessage(), keys);
            }
        }

        /** The options of the listening connection: the datasource's URL (its first, if several), user and password. */
        PgConnectOptions listenOptions() {
            String first = url.split(",")[0].trim();
            if (first.startsWith("vertx-reactive:")) {
                first = first.substring("vertx-reactive:".length());
            }
            PgConnectOptions options;
            try {
                options = PgConnectOptions.fromUri(first);
            } catch (RuntimeException e) {
                throw new ConfigurationException(urlKey + " is not a PostgreSQL URL (postgresql://host:5432/database): "
                        + first + " (" + e.getMessage() + ")", Set.of(urlKey));
            }
            username.ifPresent(options::setUser);
            password.ifPresent(options::setPassword);
            options.setTcpKeepAlive(true);
            // its meters apart from the application pool's (same name: registered twice)
            options.setMetricsName("socketio-listen");
            options.setConnectTimeout(10_000);
            return options;
        }

        String displayUrl() {
            PgConnectOptions o = listenOptions();
            return o.getHost() + ":" + o.getPort() + "/" + o.getDatabase() + " (" + urlKey + ")";
        }
    }
}
