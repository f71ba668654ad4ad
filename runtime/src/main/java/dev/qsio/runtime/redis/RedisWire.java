package dev.qsio.runtime.redis;

import java.util.Set;
import java.util.function.Supplier;

import dev.qsio.runtime.adapter.IdentityLeases;
import dev.qsio.runtime.adapter.SessionStore;
import dev.qsio.runtime.bus.Bus;
import dev.qsio.runtime.clusteradapter.AdapterLink;
import dev.qsio.runtime.wire.Wire;
import dev.qsio.runtime.wire.WireContext;
import dev.qsio.runtime.wire.WireEmitter;
import dev.qsio.runtime.wire.WireFigures;
import dev.qsio.runtime.wire.WireProvider;
import dev.qsio.runtime.config.Checks;
import io.quarkus.runtime.configuration.ConfigurationException;
import io.vertx.core.Future;

/**
 * The {@code redis} wire ({@code quarkus.socketio.bus=redis}, settings {@code quarkus.socketio.redis.*}): the servers of
 * every host meet on one Redis, a Redis Cluster or a Redis watched by sentinels. Membership and the engines' messages
 * go through the {@link RedisBus}; the cluster adapter's messages in the format of Node's adapter for the mode and
 * adapter configured (classic {@code @socket.io/redis-adapter}, the sharded adapter on a Redis Cluster, or
 * {@code @socket.io/redis-streams-adapter}), so that Node servers share the fleet; connection state recovery keeps its
 * sessions in Redis.
 */
public final class RedisWire implements Wire {

    /** The registration of this wire in {@code Wires}. */
    public static final WireProvider PROVIDER = new WireProvider() {
        @Override
        public String name() {
            return "redis";
        }

        @Override
        public String displayName() {
            return "Redis";
        }

        @Override
        public boolean keepsSessions() {
            return true;
        }

        @Override
        public boolean readinessRequiresUp(WireContext context) {
            return context.config(RedisConfig.class).readiness();
        }

        @Override
        public Wire create(WireContext context) {
            return new RedisWire(context, context.config(RedisConfig.class));
        }

        @Override
        public WireEmitter emitter(WireContext context) {
            return new RedisEmitter(context, context.config(RedisConfig.class));
        }
    };

    private final RedisBus bus;
    private final AdapterLink link;
    private final SessionStore sessions;
    private final IdentityLeases leases;

    private RedisWire(WireContext context, RedisConfig config) {
        checkSettings(config, true);
        boolean sharded = config.mode() == RedisConfig.Mode.CLUSTER;
        RedisChannels channels = sharded ? channels(() -> new ShardedRedisChannels(context.vertx(), config))
                : standalone(context, config);
        bus = new RedisBus(context.vertx(), channels, config.key(), context.nodeId(), context.workerId(),
                context.heartbeat(), context.heartbeatTimeout());
        long window = context.recoveryWindowMs();
        leases = new RedisIdentityLeases(channels, config.key());
        if (sharded) {
            // on a Redis Cluster, the format of Node's createShardedAdapter
            RedisSessionStore store = window > 0
                    ? new RedisSessionStore(context.json(), channels, bus.self(), config.key(), window)
                    : null;
            link = new ShardedRedisAdapterLink(context.vertx(), bus, context.json(), config.key(),
                    config.subscriptionMode(), store);
            sessions = store == null ? SessionStore.NONE : store;
        } else if (config.adapter() == RedisConfig.Adapter.STREAMS) {
            // the format of Node's @socket.io/redis-streams-adapter: a stream, and recovery across Node and Quarkus
            StreamsRedisAdapterLink streams = new StreamsRedisAdapterLink(context.vertx(), bus, context.json(),
                    config.key(), config.streams().maxLen(), window > 0);
            link = streams;
            StreamsSessionStore store = window > 0 ? new StreamsSessionStore(context.json(), channels, bus.self(),
                    config.key(), config.streams().sessionKeyPrefix(), window, context.recoveryLogBytes(),
                    streams::readPast) : null;
            streams.keepFor(store);
            sessions = store == null ? SessionStore.NONE : store;
        } else {
            // on one Redis, adapter messages use the wire format of Node's @socket.io/redis-adapter; with a recovery
            // window, broadcasts are logged in Redis and sessions kept there
            RedisSessionStore store = window > 0
                    ? new RedisSessionStore(context.json(), channels, bus.self(), config.key(), window)
                    : null;
            link = new RedisAdapterLink(context.vertx(), bus, context.json(), config.key(), store);
            sessions = store == null ? SessionStore.NONE : store;
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
     * A bad value of a {@code quarkus.socketio.redis.*} setting fails startup with a message naming its key; the URL is
     * read only when Redis is {@code used} (a TLS setting may name a file that exists only where it is).
     */
    public static void checkSettings(RedisConfig config, boolean used) {
        String key = "quarkus.socketio.redis.";
        boolean sharded = config.mode() == RedisConfig.Mode.CLUSTER;
        if (sharded && config.adapter() == RedisConfig.Adapter.STREAMS) {
            throw new ConfigurationException(key + "adapter=streams is not available with " + key + "mode=cluster yet: "
                    + "a Redis Cluster carries the format of Node's sharded adapter",
                    Set.of(key + "adapter", key + "mode"));
        }
        Checks.within(key + "streams.max-len", config.streams().maxLen(), 1, Long.MAX_VALUE);
        Checks.positive(key + "reconnect-delay-max", config.reconnectDelayMax());
        nonBlank(key + "key", config.key());
        nonBlank(key + "streams.session-key-prefix", config.streams().sessionKeyPrefix());
        nonBlank(key + "master-name", config.masterName());
        if (used) {
            channels(() -> {
                if (sharded) {
                    ShardedRedisChannels.check(config);
                } else {
                    StandaloneRedisChannels.checked(config);
                }
                return null;
            });
        }
    }

    private static void nonBlank(String key, String value) {
        if (value.isBlank()) {
            throw new ConfigurationException(key + " must not be blank", Set.of(key));
        }
    }

    /** The channels on one Redis or its sentinels; a URL or database it cannot use fails naming the key. */
    static RedisChannels standalone(WireContext context, RedisConfig config) {
        return channels(() -> new StandaloneRedisChannels(context.vertx(), config));
    }

    private static RedisChannels channels(Supplier<RedisChannels> make) {
        try {
            return make.get();
        } catch (IllegalArgumentException e) {
            String key = e.getMessage().startsWith("quarkus.socketio.redis.database") ? "quarkus.socketio.redis.database"
                    : "quarkus.socketio.redis.url";
            throw new ConfigurationException(e.getMessage(), Set.of(key));
        }
    }

    @Override
    public Future<Void> start() {
        return bus.start().recover(RedisWire::misconfigured);
    }

    /** A failure to connect as {@link Wire#start()} reports it: Redis refused this server, or not yet reachable. */
    static Future<Void> misconfigured(Throwable e) {
        return Future.failedFuture(e instanceof RedisMisconfiguration m
                ? new ConfigurationException(m.getMessage(), Set.of(m.key()))
                : e);
    }

    @Override
    public void close() {
        bus.close();
    }

    @Override
    public WireFigures figures() {
        RedisChannels channels = bus.channels();
        return new WireFigures(bus.isUp(), bus.members().size(), channels.outages(), channels.dropped(),
                channels.lastError());
    }

    @Override
    public String address() {
        return bus.channels().displayUrl();
    }
}
