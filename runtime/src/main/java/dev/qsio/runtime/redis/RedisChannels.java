package dev.qsio.runtime.redis;

import java.util.function.BiConsumer;

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
public interface RedisChannels {

    /** The Redis shown in logs and health data, without credentials. */
    String displayUrl();

    /**
     * Connects. The future completes when the channels are up and subscribed, or fails with the first error; either
     * way the connections are retried in the background until {@link #close()}. A {@link RedisMisconfiguration}
     * says that retrying cannot help.
     */
    Future<Void> start();

    /** Whether the channels are up. */
    boolean isUp();

    /** Whether channels are sharded (a Redis Cluster): no pattern subscriptions then. */
    boolean sharded();

    /** Publishes on a channel; dropped (and counted) while Redis is out of reach. */
    void publish(String channel, Buffer payload);

    /** Receives the messages of a channel, as {@code (channel, payload)}; kept across reconnections. */
    void subscribe(String channel, BiConsumer<String, Buffer> handler);

    /** Receives the messages of the channels matching a glob pattern; not on sharded channels. */
    void psubscribe(String pattern, BiConsumer<String, Buffer> handler);

    void unsubscribe(String channel);

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

    /** Called each time the channels are (again) up and subscribed. */
    void onUp(Runnable listener);

    /** Called each time Redis goes away after having been up. */
    void onDown(Runnable listener);

    /** Publications dropped because Redis was out of reach. */
    long dropped();

    /** How many times Redis went away (or could not be reached at start). */
    long outages();

    /** The last connection error, or null while up. */
    String lastError();

    /**
     * Redis keeps the connections open but answers nothing (a stopped or frozen server, a network that drops
     * everything silently): drops them and reconnects, as when they close. Nothing happens between two attempts.
     */
    void unresponsive(String reason);

    /** When the connection attempt under way started ({@link System#nanoTime()}), or -1 while up or between attempts. */
    long attemptStarted();

    /** Closes the connections, after what was already published has gone out. */
    void close();
}
