package dev.qsio.runtime.postgres;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.qsio.runtime.adapter.IdentityLeases;
import dev.qsio.runtime.adapter.SessionStore;
import dev.qsio.runtime.bus.Bus;
import dev.qsio.runtime.bus.PubSubBus;
import dev.qsio.runtime.clusteradapter.AdapterMessage;
import dev.qsio.runtime.clusteradapter.ClusterAdapterMessages;
import dev.qsio.runtime.clusteradapter.AdapterLink;
import dev.qsio.runtime.figures.Figure;
import dev.qsio.runtime.protocol.ProtocolException;
import dev.qsio.runtime.wire.Wire;
import dev.qsio.runtime.wire.WireContext;
import dev.qsio.runtime.wire.WireEmitter;
import dev.qsio.runtime.wire.WireFigures;
import dev.qsio.runtime.wire.WireProvider;
import io.quarkus.reactive.datasource.ReactiveDataSource;
import io.quarkus.runtime.configuration.ConfigurationException;
import io.vertx.core.Future;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;

/**
 * The {@code postgres} wire ({@code quarkus.socketio.bus=postgres}, settings {@code quarkus.socketio.postgres.*}):
 * everything a server needs to be one of a fleet on PostgreSQL, made from the configuration once at startup. Its parts:
 * <ul>
 * <li>{@link PostgresChannels}: the listening connection, the publishing through the application's pool, the
 * attachments table;</li>
 * <li>the bus between servers ({@link PubSubBus} over those channels: membership, the engine's messages, and the
 * liveness check of the listening connection by this server's own heartbeats);</li>
 * <li>{@link PostgresAdapterLink}: the cluster adapter's messages in the format of Node's
 * {@code @socket.io/postgres-adapter};</li>
 * <li>{@link PostgresSessionStore}: connection state recovery, when it is on.</li>
 * </ul>
 * A wrong datasource (none configured, an unknown name, a pool that cannot be had, a wrong password or database)
 * fails startup with a message naming the key; an unreachable one does not: the server starts, serves its own
 * clients, reports not ready, and joins the fleet when PostgreSQL answers.
 */
public final class PostgresWire implements Wire {

    static final String DATASOURCE_KEY = "quarkus.socketio.postgres.datasource";
    private static final String EMITTER_KEY = "quarkus.socketio.emitter.bus";

    /** The registration of this wire in {@code Wires}. */
    public static final WireProvider PROVIDER = new WireProvider() {
        @Override
        public String name() {
            return "postgres";
        }

        @Override
        public String displayName() {
            return "PostgreSQL";
        }

        @Override
        public boolean keepsSessions() {
            return true;
        }

        @Override
        public boolean readinessRequiresUp(WireContext context) {
            return context.config(PostgresConfig.class).readiness();
        }

        @Override
        public Wire create(WireContext context) {
            return new PostgresWire(context, context.config(PostgresConfig.class));
        }

        @Override
        public List<Figure> figures() {
            return List.of(PostgresFigure.values());
        }

        @Override
        public WireEmitter emitter(WireContext context) {
            return new Emitter(context, context.config(PostgresConfig.class));
        }
    };

    private final PostgresChannels channels;
    private final PubSubBus bus;
    private final PostgresAdapterLink link;
    private final SessionStore sessions;
    private final IdentityLeases leases;

    private PostgresWire(WireContext context, PostgresConfig config) {
        requireClient("quarkus.socketio.bus");
        PostgresSettings.check(config);
        String table = config.tableName();
        String recoveryPrefix = config.recoveryTablePrefix();
        Datasource ds = Datasource.of(config.datasource());
        Pool pool = ds.pool(context);
        long window = context.recoveryWindowMs();
        PostgresChannels.RecoveryTables tables = window > 0
                ? new PostgresChannels.RecoveryTables(recoveryPrefix + "_log", recoveryPrefix + "_sessions", window)
                : null;
        channels = new PostgresChannels(context.vertx(), new PostgresChannels.Setup(pool, ds.listenOptions(),
                ds.displayUrl(), ds.keys(table), table, tables, config.payloadThreshold(), config.cleanupInterval(),
                config.reconnectDelayMax()));
        bus = new PubSubBus(context.vertx(), channels, "PostgreSQL", config.channelPrefix(), context.nodeId(),
                context.workerId(), context.heartbeat(), context.heartbeatTimeout());
        PostgresSessionStore store = tables == null ? null
                : new PostgresSessionStore(context.json(), pool, bus.self(), tables);
        link = new PostgresAdapterLink(context.vertx(), bus, channels, context.json(), config.channelPrefix(),
                config.heartbeatInterval(), config.heartbeatTimeout(), store);
        sessions = store == null ? SessionStore.NONE : store;
        leases = new PostgresIdentityLeases(pool, recoveryPrefix);
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


    @Override
    public Bus bus() {
        return bus;
    }

    @Override
    public AdapterLink adapterLink() {
        return link;
    }

    @Override
    public SessionStore sessionStore() {
        return sessions;
    }

    @Override
    public IdentityLeases identityLeases() {
        return leases;
    }

    /**
     * Connects: completes when listening, or fails with a {@link ConfigurationException} when waiting cannot help
     * (PostgreSQL refused this server); otherwise keeps trying in the background.
     */
    @Override
    public Future<Void> start() {
        return bus.start().recover(PostgresWire::misconfigured);
    }

    private static Future<Void> misconfigured(Throwable e) {
        return Future.failedFuture(e instanceof PostgresMisconfiguration m
                ? new ConfigurationException(m.getMessage(), m.keys())
                : e);
    }

    /**
     * The queued notifications (with the broadcast log's entries they carry) published and the session store's
     * writes done: the pool is the application's, closed when the application stops, and a write still queued then
     * is lost.
     */
    @Override
    public Future<Void> flushed() {
        Future<Void> stored = sessions instanceof PostgresSessionStore s ? s.written() : Future.succeededFuture();
        return Future.join(channels.flushed(), stored).mapEmpty();
    }

    /** Says goodbye and closes the listening connection (the pool is the application's). */
    @Override
    public void close() {
        bus.close();
    }

    @Override
    public WireFigures figures() {
        return new WireFigures(bus.isUp(), bus.members().size(), channels.outages(), channels.dropped(),
                channels.lastError(), Map.of(PostgresFigure.NOTIFICATIONS.key(), channels.published(),
                        PostgresFigure.TRANSACTIONS.key(), channels.batches()));
    }

    @Override
    public String address() {
        return channels.displayUrl();
    }

    /**
     * An emitter's publisher on PostgreSQL ({@link dev.qsio.SocketIoEmitter}): the messages of Node's
     * {@code @socket.io/postgres-adapter}, from {@code emitter} as Node's emitters sign them but with their namespace
     * (Node's adapter drops the messages of Node's postgres emitter 0.1, which have none), through the application's
     * pool and the attachments table; nothing is listened to.
     */
    private static final class Emitter implements WireEmitter {

        private final PostgresConfig config;
        private final PostgresChannels channels;
        private final ClusterAdapterMessages messages;
        private final AtomicLong sequence = new AtomicLong();

        Emitter(WireContext context, PostgresConfig config) {
            requireClient(EMITTER_KEY);
            this.config = config;
            PostgresSettings.check(config);
            String table = config.tableName();
            Datasource ds = Datasource.of(config.datasource());
            channels = new PostgresChannels(context.vertx(), new PostgresChannels.Setup(ds.pool(context), null,
                    ds.displayUrl(), ds.keys(table), table, null, config.payloadThreshold(), config.cleanupInterval(),
                    config.reconnectDelayMax()));
            messages = new ClusterAdapterMessages(context.json(), WireEmitter.ORIGIN.member());
        }

        @Override
        public void emit(AdapterMessage message) {
            try {
                ObjectNode m = NodePostgresFormat.stamp(messages.encode(message, false), sequence.incrementAndGet());
                String channel = PostgresAdapterLink.channel(config.channelPrefix(), m.path("nsp").asText());
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
        }

        @Override
        public Future<Void> start() {
            return channels.start().recover(PostgresWire::misconfigured);
        }

        @Override
        public void close() {
            channels.close();
        }

        @Override
        public String address() {
            return channels.displayUrl();
        }
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

        Pool pool(WireContext context) {
            Set<String> keys = name == null ? Set.of(urlKey) : Set.of(DATASOURCE_KEY, urlKey);
            String which = name == null ? "The default reactive datasource" : "The reactive datasource " + name;
            Pool pool;
            try {
                pool = name == null ? context.bean(Pool.class)
                        : context.bean(Pool.class, new ReactiveDataSource.ReactiveDataSourceLiteral(name));
            } catch (RuntimeException e) {
                throw new ConfigurationException(which + " cannot be used: " + e.getMessage(), keys);
            }
            if (pool == null) {
                throw new ConfigurationException(which + " has no pool: is it a PostgreSQL datasource with its reactive "
                        + "client (quarkus-reactive-pg-client, and " + dbKindKey() + "=postgresql at build time when Dev "
                        + "Services are off)? See " + String.join(" and ", keys), keys);
            }
            return pool;
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
