package dev.qsio.runtime.engine;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import dev.qsio.runtime.config.SocketIoRuntimeConfig;
import io.quarkus.vertx.http.HttpServerOptionsCustomizer;
import io.vertx.core.http.HttpServerOptions;

/**
 * Raises the HTTP server's WebSocket frame and message limits to {@code max-http-buffer-size}, so that the engine,
 * not Netty, decides which messages are too large (clients send a message as one frame).
 */
@Singleton
public class WebSocketLimits implements HttpServerOptionsCustomizer {

    @Inject
    SocketIoRuntimeConfig config;

    @Override
    public void customizeHttpServer(HttpServerOptions options) {
        // room for the packet type and a little framing beyond the configured payload size
        int needed = Math.max(config.maxHttpBufferSize(), 0) + 64;
        if (options.getMaxWebSocketFrameSize() < needed) {
            options.setMaxWebSocketFrameSize(needed);
        }
        if (options.getMaxWebSocketMessageSize() < needed) {
            options.setMaxWebSocketMessageSize(needed);
        }
    }
}
