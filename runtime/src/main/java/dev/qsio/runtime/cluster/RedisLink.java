package dev.qsio.runtime.cluster;

import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import dev.qsio.runtime.bus.RedisBus;
import dev.qsio.runtime.config.ClusterConfig;
import dev.qsio.runtime.config.RedisConfig;
import io.quarkus.runtime.configuration.ConfigurationException;
import io.vertx.core.Vertx;

/**
 * This server's {@code redis} bus, when {@code quarkus.socketio.bus=redis}: created at bootstrap, closed last at
 * shutdown.
 */
@Singleton
public class RedisLink {

    private static final Logger LOG = Logger.getLogger(RedisLink.class);

    @Inject
    Vertx vertx;

    @Inject
    RedisConfig config;

    @Inject
    ClusterConfig cluster;

    private volatile RedisBus bus;

    /**
     * Connects to Redis, waiting a few seconds for it. A server whose Redis is not there yet still starts, serves its
     * own clients and keeps trying; its readiness reports the bus down meanwhile.
     */
    RedisBus start(String nodeId, int workerId) {
        try {
            RedisBus.options(config);
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException(e.getMessage(), java.util.Set.of("quarkus.socketio.redis.url"));
        }
        RedisBus b = new RedisBus(vertx, config, nodeId, workerId, cluster.heartbeatInterval(), cluster.heartbeatTimeout());
        bus = b;
        try {
            b.start().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warnf("Socket.IO bus: Redis at %s is not reachable yet (%s); this server starts alone and joins the "
                    + "cluster when Redis answers", b.displayUrl(), e.getCause() != null ? e.getCause().getMessage()
                            : e.toString());
        }
        return b;
    }

    /** The bus, or null when this server does not use Redis. */
    public RedisBus bus() {
        return bus;
    }

    void close() {
        RedisBus b = bus;
        if (b != null) {
            b.close();
        }
    }
}
