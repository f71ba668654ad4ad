package dev.qsio.runtime.bus;

import java.util.function.BiConsumer;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;

/**
 * Named channels on a message broker that every server of a fleet reaches (Redis pub/sub, PostgreSQL
 * {@code LISTEN}/{@code NOTIFY}): what a {@link PubSubBus} needs to carry membership and payloads between servers.
 * Subscriptions are kept across reconnections; while the broker is out of reach nothing is published (and what
 * would have been is counted as dropped).
 */
public interface BusChannels {

    /** The broker shown in logs and health data, without credentials. */
    String displayUrl();

    /**
     * Connects. The future completes when the channels are up and subscribed, or fails with the first error; either
     * way the connections are retried in the background until {@link #close()}.
     */
    Future<Void> start();

    /** Whether the channels are up. */
    boolean isUp();

    /** Publishes on a channel; dropped (and counted) while the broker is out of reach. */
    void publish(String channel, Buffer payload);

    /** Receives the messages of a channel, as {@code (channel, payload)}; kept across reconnections. */
    void subscribe(String channel, BiConsumer<String, Buffer> handler);

    void unsubscribe(String channel);

    /** Called each time the channels are (again) up and subscribed. */
    void onUp(Runnable listener);

    /** Called each time the broker goes away after having been up. */
    void onDown(Runnable listener);

    /** Publications dropped because the broker was out of reach. */
    long dropped();

    /** How many times the broker went away (or could not be reached at start). */
    long outages();

    /** The last connection error, or null while up. */
    String lastError();

    /**
     * The broker keeps the connections open but answers nothing (a stopped or frozen server, a network that drops
     * everything silently): drops them and reconnects, as when they close. Nothing happens between two attempts.
     */
    void unresponsive(String reason);

    /** When the connection attempt under way started ({@link System#nanoTime()}), or -1 while up or between attempts. */
    long attemptStarted();

    /** Closes the connections, after what was already published has gone out. */
    void close();
}
