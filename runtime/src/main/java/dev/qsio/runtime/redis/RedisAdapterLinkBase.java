package dev.qsio.runtime.redis;

import dev.qsio.runtime.clusteradapter.AdapterLinkBase;
import io.vertx.core.Vertx;

/**
 * What the Redis links share: this server's {@link RedisChannels}, the wire's key, and how they follow the
 * servers of the fleet: the server count is refreshed every second, when Redis is back, and when the Redis bus says
 * that a server joined or left; a server that left ends the requests that waited for it.
 */
abstract class RedisAdapterLinkBase extends AdapterLinkBase {

    protected final Vertx vertx;
    protected final RedisChannels redis;
    /** The prefix of the wire's channels and keys ({@code quarkus.socketio.redis.key}). */
    protected final String key;

    RedisAdapterLinkBase(Vertx vertx, RedisBus bus, String key) {
        super(bus);
        this.vertx = vertx;
        this.redis = bus.channels();
        this.key = key;
    }

    /** Counts the other servers anew, as this kind of link counts them. */
    protected abstract void refreshServerCount();

    @Override
    protected void started() {
        vertx.setPeriodic(1000, t -> refreshServerCount());
        redis.onUp(this::refreshServerCount);
    }

    @Override
    protected void memberJoined(String member) {
        refreshServerCount();
    }

    @Override
    protected void memberLeft(String member) {
        refreshServerCount();
        super.memberLeft(member);
    }
}
