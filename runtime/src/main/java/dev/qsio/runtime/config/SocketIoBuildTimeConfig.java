package dev.qsio.runtime.config;

import io.quarkus.runtime.annotations.ConfigPhase;
import io.quarkus.runtime.annotations.ConfigRoot;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

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

    /**
     * Whether the Socket.IO client bundle is served at {@code <path>socket.io.js} (and {@code socket.io.min.js},
     * {@code socket.io.esm.min.js}, with source maps), as Node's {@code serveClient} option.
     */
    @WithDefault("true")
    boolean serveClient();

    /**
     * Whether the extension contributes its liveness, readiness and startup checks when the application has
     * {@code quarkus-smallrye-health}.
     */
    @WithName("health.enabled")
    @WithDefault("true")
    boolean healthEnabled();

    /**
     * Whether the extension registers its meters when the application has Micrometer.
     */
    @WithName("metrics.enabled")
    @WithDefault("true")
    boolean metricsEnabled();
}
