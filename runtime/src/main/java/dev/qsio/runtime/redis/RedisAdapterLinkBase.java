package dev.qsio.runtime.redis;

import java.io.IOException;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;

import dev.qsio.runtime.clusteradapter.AdapterLinkBase;
import dev.qsio.runtime.clusteradapter.NodeMessages;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;

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

    /**
     * The Node message a channel of namespace {@code nsp} carried, or null when it is malformed: it is then ignored,
     * and logged at debug level on {@code log}, since a peer's bad message must not disturb this server.
     */
    static JsonNode readOrIgnore(NodeMessages wire, Logger log, String nsp, Buffer payload) {
        try {
            return wire.read(payload);
        } catch (IOException e) {
            log.debugf("ignoring a malformed message on %s: %s", nsp, e.getMessage());
            return null;
        }
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
