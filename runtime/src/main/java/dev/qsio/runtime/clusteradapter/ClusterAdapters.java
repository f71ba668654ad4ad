package dev.qsio.runtime.clusteradapter;

import dev.qsio.runtime.adapter.AdapterFactory;
import dev.qsio.runtime.adapter.SessionStore;
import dev.qsio.runtime.bus.Bus;
import dev.qsio.runtime.bus.RedisBus;
import dev.qsio.runtime.config.RedisConfig.SubscriptionMode;
import dev.qsio.runtime.protocol.ProtocolJson;
import dev.qsio.runtime.requests.RequestTracker;
import dev.qsio.runtime.server.BroadcastHooks;
import dev.qsio.runtime.server.ServerStats;
import dev.qsio.runtime.server.Tracing;
import io.vertx.core.Vertx;

/**
 * The cluster adapters a server can have: over the bus between the workers of a host, or over Redis in the format
 * of Node's redis adapter (with connection state recovery kept in Redis when it is on).
 */
public final class ClusterAdapters {

    /** What the adapters of one server share. */
    public record Parts(ProtocolJson json, BroadcastHooks hooks, ServerStats stats, RequestTracker requests,
            long requestTimeoutMs, int workerId, String nodeId, Tracing tracing) {
    }

    /** The adapters of a server on Redis, and its session store. */
    public record OnRedis(AdapterFactory adapters, SessionStore sessions) {
    }

    private ClusterAdapters() {
    }

    /** Adapters whose messages travel on a bus (the local bus between the workers of a host). */
    public static AdapterFactory overBus(Bus bus, Parts parts) {
        return hub(new BusTransport(bus, parts.json()), parts).adapters();
    }

    /**
     * Adapters whose messages travel on Redis, wire-compatible with Node's {@code @socket.io/redis-adapter}; with a
     * recovery window, broadcasts are logged in Redis and sessions kept there.
     */
    public static OnRedis overRedis(Vertx vertx, RedisBus bus, String key, Parts parts, long recoveryWindowMs) {
        RedisSessionStore store = recoveryWindowMs > 0
                ? new RedisSessionStore(parts.json(), bus.channels(), bus.self(), key, recoveryWindowMs)
                : null;
        ClusterHub hub = hub(new RedisTransport(vertx, bus, parts.json(), key, store), parts);
        return new OnRedis(hub.adapters(), store == null ? SessionStore.NONE : store);
    }

    /**
     * Adapters whose messages travel on a Redis Cluster's sharded pub/sub, wire-compatible with Node's
     * {@code createShardedAdapter} with the same subscription mode; with a recovery window, broadcasts are logged in
     * the cluster (each namespace's log on the shard of its channel) and sessions kept there.
     */
    public static OnRedis overShardedRedis(Vertx vertx, RedisBus bus, String key, Parts parts, SubscriptionMode mode,
            long recoveryWindowMs) {
        RedisSessionStore store = recoveryWindowMs > 0
                ? new RedisSessionStore(parts.json(), bus.channels(), bus.self(), key, recoveryWindowMs)
                : null;
        ClusterHub hub = hub(new ShardedRedisTransport(vertx, bus, parts.json(), key, mode, store), parts);
        return new OnRedis(hub.adapters(), store == null ? SessionStore.NONE : store);
    }

    /**
     * Adapters in the format of Node's {@code @socket.io/redis-streams-adapter}; with a recovery window, sessions are
     * kept as that adapter keeps them and recovered from its stream.
     */
    public static OnRedis overRedisStreams(Vertx vertx, RedisBus bus, String key, Parts parts, long maxLen,
            String sessionKeyPrefix, long recoveryWindowMs) {
        boolean recovery = recoveryWindowMs > 0;
        ClusterHub hub = hub(new StreamsRedisTransport(vertx, bus, parts.json(), key, maxLen, recovery), parts);
        return new OnRedis(hub.adapters(), recovery
                ? new StreamsSessionStore(parts.json(), bus.channels(), key, sessionKeyPrefix, recoveryWindowMs)
                : SessionStore.NONE);
    }

    private static ClusterHub hub(ClusterTransport transport, Parts parts) {
        return new ClusterHub(transport, parts.json(), parts.hooks(), parts.stats(), parts.requests(), parts.tracing(),
                parts.requestTimeoutMs(), parts.workerId(), parts.nodeId());
    }
}
