package dev.qsio.runtime.redis;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;

import io.quarkus.runtime.annotations.ConfigPhase;
import io.quarkus.runtime.annotations.ConfigRoot;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * The Redis server of the {@code redis} bus ({@code quarkus.socketio.bus=redis}).
 */
@ConfigMapping(prefix = "quarkus.socketio.redis")
@ConfigRoot(phase = ConfigPhase.RUN_TIME)
public interface RedisConfig {

    /**
     * The Redis server: {@code redis://host:port} or, with TLS, {@code rediss://host:port}; a database number may
     * follow as the path ({@code redis://host:6379/2}). In {@code cluster} mode, some nodes of the cluster separated by
     * commas ({@code redis://10.0.0.1:7000,redis://10.0.0.2:7000}): the others are found from them.
     */
    @WithDefault("redis://localhost:6379")
    String url();

    /**
     * What {@link #url()} names: one Redis server ({@code standalone}, classic pub/sub, Node's {@code createAdapter}),
     * a Redis Cluster ({@code cluster}: the URL is a comma-separated list of some of its nodes, and messages use
     * sharded pub/sub in the format of Node's {@code createShardedAdapter}), or the sentinels of a Redis managed by
     * Redis Sentinel ({@code sentinel}: the URL lists the sentinels, {@code redis://host:26379,...}; the master of
     * {@link #masterName()} is used as one server, and found again after a failover). A mode that does not match
     * what Redis is fails startup.
     */
    @WithDefault("standalone")
    Mode mode();

    /**
     * In {@code cluster} mode, which channels a namespace's broadcasts use, as the {@code subscriptionMode} option of
     * Node's {@code createShardedAdapter} (every server of the fleet must use the same): {@code static}, one channel
     * per namespace; {@code dynamic}, also one per public room, subscribed by the servers that have the room (a
     * broadcast to one room reaches only them); {@code dynamic-private}, also one per socket.
     */
    @WithDefault("dynamic")
    SubscriptionMode subscriptionMode();

    /**
     * The wire format of adapter messages on a single Redis (standalone or sentinel mode): {@code pubsub}, Node's
     * {@code @socket.io/redis-adapter} ({@code createAdapter}); or {@code streams}, Node's
     * {@code @socket.io/redis-streams-adapter}, whose servers keep connection state recovery across Node and Quarkus
     * servers (broadcasts in a stream named {@link #key()}, sessions under {@link Streams#sessionKeyPrefix()}). Every
     * server of the fleet must use the same. On a Redis Cluster the format is that of Node's sharded adapter.
     */
    @WithDefault("pubsub")
    Adapter adapter();

    /** The {@code streams} adapter's settings, as Node's options of the same names. */
    Streams streams();

    interface Streams {

        /** About how many entries the stream keeps (Node's {@code maxLen}); older broadcasts cannot be recovered. */
        @WithDefault("10000")
        long maxLen();

        /** The prefix of the sessions' keys (Node's {@code sessionKeyPrefix}). */
        @WithDefault("sio:session:")
        String sessionKeyPrefix();
    }

    /** The wire format on a single Redis. */
    enum Adapter {
        PUBSUB,
        STREAMS
    }

    /**
     * In {@code sentinel} mode, the name of the master the sentinels watch (their {@code sentinel monitor <name>}).
     */
    @WithDefault("mymaster")
    String masterName();

    /** What the URL names. */
    enum Mode {
        STANDALONE,
        CLUSTER,
        SENTINEL
    }

    /** Node's {@code subscriptionMode} of the sharded adapter. */
    enum SubscriptionMode {
        STATIC,
        DYNAMIC,
        DYNAMIC_PRIVATE
    }

    /**
     * The password (Redis {@code AUTH}); overrides one given in the URL.
     */
    Optional<String> password();

    /**
     * The database number; overrides one given in the URL.
     */
    OptionalInt database();

    /**
     * The prefix of the channel names, Node's {@code key} option of {@code @socket.io/redis-adapter}: broadcasts go
     * to {@code <key>#<namespace>#}, requests to {@code <key>-request#<namespace>#}, responses to
     * {@code <key>-response#<namespace>#}. Node servers sharing the cluster must use the same key.
     */
    @WithDefault("socket.io")
    String key();

    /**
     * The longest wait between two attempts to reconnect to Redis after it went away; the wait starts at 100 ms and
     * doubles up to this (on a Redis Cluster or with sentinels 1 s at most, since a failover ends within seconds).
     */
    @WithDefault("5S")
    Duration reconnectDelayMax();

    /**
     * Whether the readiness check is DOWN while this server (in a cluster: any of its workers) cannot reach Redis.
     * Its clients are still served, but broadcasts to and from the other hosts are lost meanwhile; a load balancer
     * that follows readiness sends new clients to hosts that still reach Redis. When false, the check only reports
     * the state of Redis in its data.
     */
    @WithDefault("true")
    boolean readiness();

    /**
     * TLS for {@code rediss://} URLs.
     */
    Tls tls();

    interface Tls {

        /**
         * A PEM file with the certificates of the authorities to trust; the JVM's default trust store when unset.
         */
        Optional<String> trustCertificatePem();

        /**
         * Trusts any server certificate and skips the host name check. For tests only.
         */
        @WithDefault("false")
        boolean trustAll();
    }
}
