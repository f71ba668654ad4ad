package dev.qsio.runtime.config;

import io.quarkus.runtime.annotations.ConfigPhase;
import io.quarkus.runtime.annotations.ConfigRoot;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Socket.IO settings fixed when the application is built.
 */
@ConfigMapping(prefix = "quarkus.socketio")
@ConfigRoot(phase = ConfigPhase.BUILD_AND_RUN_TIME_FIXED)
public interface SocketIoBuildTimeConfig {

    /**
     * The path that serves Socket.IO (HTTP long-polling and WebSocket), as Node's {@code path} option.
     */
    @WithDefault("/socket.io/")
    String path();
}
