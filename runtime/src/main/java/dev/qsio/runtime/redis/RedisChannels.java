package dev.qsio.runtime.redis;

import java.util.function.BiConsumer;

import dev.qsio.runtime.bus.BusChannels;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

/**
 * One server's channels on Redis: publishing, subscriptions kept across reconnections, and commands. Both the
 * {@link RedisBus} (membership and payloads between servers) and the Redis adapters use them. Two kinds, as
 * {@code quarkus.socketio.redis.mode} says: {@link StandaloneRedisChannels} on one Redis server with classic pub/sub,
 * {@link ShardedRedisChannels} on a Redis Cluster with sharded pub/sub ({@code SPUBLISH}/{@code SSUBSCRIBE}).
 * <p>
 * While Redis is out of reach nothing is published (and what would have been is counted as dropped); the channels
 * reconnect by themselves and subscribe again.
 */
public interface RedisChannels extends BusChannels {

    /**
     * Connects, as {@link BusChannels#start()} says; a {@link RedisMisconfiguration} says that retrying cannot help.
     */
    @Override
    Future<Void> start();

    /** Whether channels are sharded (a Redis Cluster): no pattern subscriptions then. */
    boolean sharded();

    /** Receives the messages of the channels matching a glob pattern; not on sharded channels. */
    void psubscribe(String pattern, BiConsumer<String, Buffer> handler);

    void punsubscribe(String pattern);

    /** How many clients subscribe to a channel (classic {@code PUBSUB NUMSUB} or sharded {@code SHARDNUMSUB}). */
    Future<Integer> subscribers(String channel);

    /**
     * A client of its own on the same Redis, for what must not wait behind the publications or hold them up (a
     * blocking {@code XREAD}); the caller closes it.
     */
    Redis newClient(String metricsName);

    /** Sends a command (in order with the publications where the kind allows it). */
    Future<Response> command(Request request);
}
