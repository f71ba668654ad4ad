package dev.qsio.runtime.emitter;

import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import dev.qsio.SocketIoEmitter;
import dev.qsio.runtime.bus.RedisChannels;
import dev.qsio.runtime.bus.RedisMisconfiguration;
import dev.qsio.runtime.bus.StandaloneRedisChannels;
import dev.qsio.runtime.config.RedisConfig;
import dev.qsio.runtime.postgres.PostgresConfig;
import dev.qsio.runtime.postgres.PostgresWire;
import dev.qsio.runtime.protocol.ProtocolJson;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.configuration.ConfigurationException;
import io.vertx.core.Vertx;

/**
 * The application's {@link SocketIoEmitter}, on the wire of {@code quarkus.socketio.emitter.bus}: made at startup
 * when configured (a wrong configuration fails startup naming the key), and closed at shutdown.
 */
@Singleton
public class Emitters {

    private static final Logger LOG = Logger.getLogger(Emitters.class);
    static final String KEY = "quarkus.socketio.emitter.bus";

    @Inject
    EmitterConfig config;

    @Inject
    RedisConfig redisConfig;

    @Inject
    PostgresConfig postgresConfig;

    @Inject
    ProtocolJson json;

    @Inject
    Vertx vertx;

    private SocketIoEmitter emitter;
    private RedisChannels redis;

    void startup(@Observes StartupEvent event) {
        if (config.bus().isPresent()) {
            emitter();
        }
    }

    @Produces
    @Singleton
    SocketIoEmitter socketIoEmitter() {
        return emitter();
    }

    private synchronized SocketIoEmitter emitter() {
        if (emitter != null) {
            return emitter;
        }
        EmitterConfig.Wire wire = config.bus().orElseThrow(() -> new ConfigurationException("A SocketIoEmitter needs "
                + KEY + "=redis or postgres (and the settings of that wire, as the servers of the fleet have them)",
                Set.of(KEY)));
        emitter = new EmitterImpl(switch (wire) {
            case REDIS -> {
                if (redisConfig.mode() == RedisConfig.Mode.CLUSTER) {
                    throw new ConfigurationException("The emitter writes the format of Node's redis emitter, which a "
                            + "Redis Cluster (quarkus.socketio.redis.mode=cluster) does not carry",
                            Set.of(KEY, "quarkus.socketio.redis.mode"));
                }
                redis = new StandaloneRedisChannels(vertx, redisConfig);
                connect(redis);
                yield new RedisEmitterWire(redis, redisConfig.key(), json);
            }
            case POSTGRES -> PostgresWire.emitter(vertx, postgresConfig, json);
        });
        return emitter;
    }

    /** Waits a few seconds for Redis, as servers do; a Redis not there yet is retried, and emits meanwhile dropped. */
    private static void connect(RedisChannels redis) {
        try {
            redis.start().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RedisMisconfiguration m) {
                throw new ConfigurationException(m.getMessage(), Set.of(m.key()));
            }
            LOG.warnf("Socket.IO emitter: Redis at %s is not reachable yet (%s); emits are dropped until it answers",
                    redis.displayUrl(), e.getCause() == null ? e : e.getCause().getMessage());
        } catch (Exception e) {
            LOG.warnf("Socket.IO emitter: Redis at %s is not reachable yet (%s); emits are dropped until it answers",
                    redis.displayUrl(), e.toString());
        }
    }

    void shutdown(@Observes ShutdownEvent event) {
        if (redis != null) {
            redis.close();
        }
    }
}
