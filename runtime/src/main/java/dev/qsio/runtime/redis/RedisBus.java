package dev.qsio.runtime.redis;

import java.time.Duration;

import dev.qsio.runtime.bus.PubSubBus;
import io.vertx.core.Vertx;

/**
 * The {@code redis} bus: a {@link PubSubBus} over the server's {@link RedisChannels}, which the Redis adapters share.
 */
public final class RedisBus extends PubSubBus {

    private final RedisChannels channels;

    public RedisBus(Vertx vertx, RedisChannels channels, String key, String nodeId, int workerId, Duration heartbeat,
            Duration heartbeatTimeout) {
        super(vertx, channels, "Redis", key, nodeId, workerId, heartbeat, heartbeatTimeout);
        this.channels = channels;
    }

    @Override
    public RedisChannels channels() {
        return channels;
    }
}
