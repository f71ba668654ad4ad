package dev.qsio.runtime.emitter;

import java.util.Optional;

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
     * Where the emitter sends: {@code redis}, in the format of Node's {@code @socket.io/redis-emitter} (the classic
     * adapter's, on the Redis of {@code quarkus.socketio.redis.url}, with its {@code key}), or {@code postgres}, in the
     * format of Node's {@code @socket.io/postgres-adapter} (on the datasource and channels of
     * {@code quarkus.socketio.postgres.*}). Unset, the application has no emitter, and injecting one fails startup.
     */
    Optional<Wire> bus();

    /** The values of {@link #bus()}. */
    enum Wire {
        REDIS,
        POSTGRES
    }
}
