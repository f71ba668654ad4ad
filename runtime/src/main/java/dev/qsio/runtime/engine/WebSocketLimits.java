package dev.qsio.runtime.engine;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import dev.qsio.runtime.config.SocketIoRuntimeConfig;
import io.quarkus.vertx.http.HttpServerOptionsCustomizer;
import io.vertx.core.http.HttpServerOptions;

/**
 * Raises the HTTP server's WebSocket frame and message limits above {@code max-http-buffer-size}, so that the engine,
 * not Netty, decides which messages are too large and closes with the RFC's code (clients send a message as one
 * frame).
 */
@Singleton
public class WebSocketLimits implements HttpServerOptionsCustomizer {

    @Inject
    SocketIoRuntimeConfig config;

    @Override
    public void customizeHttpServer(HttpServerOptions options) {
        // Twice the configured size: a message over the limit reaches the engine, which closes with 1009 (RFC 6455,
        // "message too big"); only one over twice the limit is cut by the HTTP server itself (close 1000).
        int needed = (int) Math.min(Integer.MAX_VALUE - 64L, 2L * Math.max(config.maxHttpBufferSize(), 0)) + 64;
        if (options.getMaxWebSocketFrameSize() < needed) {
            options.setMaxWebSocketFrameSize(needed);
        }
        if (options.getMaxWebSocketMessageSize() < needed) {
            options.setMaxWebSocketMessageSize(needed);
        }
    }
}
