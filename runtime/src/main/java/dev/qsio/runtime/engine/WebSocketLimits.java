package dev.qsio.runtime.engine;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

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
    EngineEndpoints engines;

    @Override
    public void customizeHttpServer(HttpServerOptions options) {
        int needed = engines.options().maxWebSocketMessage();
        if (options.getMaxWebSocketFrameSize() < needed) {
            options.setMaxWebSocketFrameSize(needed);
        }
        if (options.getMaxWebSocketMessageSize() < needed) {
            options.setMaxWebSocketMessageSize(needed);
        }
    }
}
