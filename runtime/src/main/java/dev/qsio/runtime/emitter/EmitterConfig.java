package dev.qsio.runtime.emitter;

import java.util.Optional;

import dev.qsio.runtime.config.SocketIoRuntimeConfig;
import io.quarkus.runtime.annotations.ConfigPhase;
import io.quarkus.runtime.annotations.ConfigRoot;
import io.smallrye.config.ConfigMapping;

/**
 * The {@link dev.qsio.SocketIoEmitter} of an application that serves no sockets.
 */
@ConfigMapping(prefix = "quarkus.socketio.emitter")
@ConfigRoot(phase = ConfigPhase.RUN_TIME)
public interface EmitterConfig {

    /**
     * The wire between hosts the emitter sends on, with that wire's settings as the servers of the fleet have them:
     * {@code redis}, in the format of Node's {@code @socket.io/redis-emitter} (the classic adapter's, on the Redis of
     * {@code quarkus.socketio.redis.url}, with its {@code key}), or {@code postgres}, in the format of Node's
     * {@code @socket.io/postgres-adapter} (on the datasource and channels of {@code quarkus.socketio.postgres.*}).
     * Unset, the application has no emitter, and injecting one fails startup; {@code local} names no wire.
     */
    Optional<SocketIoRuntimeConfig.BusKind> bus();
}
