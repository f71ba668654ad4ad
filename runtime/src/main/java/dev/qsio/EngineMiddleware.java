package dev.qsio;

import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;

/**
 * Runs for every HTTP request of the engine, before the engine reads it: the counterpart of Node's
 * {@code io.engine.use((req, res, next) => ...)}.
 * <p>
 * Declare a CDI bean implementing this interface. Every request to an Engine.IO path (the Socket.IO path and each
 * {@link EngineIoEndpoint}) goes through each middleware bean, in the order of their {@code @jakarta.annotation.Priority}
 * (lowest first; a bean without one counts as 0; equal ones by class name): the handshake, every polling GET and POST,
 * and the WebSocket upgrade request. A CORS preflight is answered before them; Quarkus' HTTP authentication and
 * permissions run before them, so that the request's identity is known here. Runs on the event loop: return a
 * {@code Uni} for anything that takes time (the request's body waits, unread, meanwhile).
 * <ul>
 * <li>complete the {@code Uni} to let the request go on (to the next middleware, then the engine). Headers set on
 * {@code ctx.response()} stay on the engine's answer (on a WebSocket upgrade, on its 101);</li>
 * <li>end {@code ctx.response()} to answer the request here: it goes no further (no session opens, no WebSocket);</li>
 * <li>fail the {@code Uni} (or throw) to refuse it: HTTP 400 with {@code {"code":3,"message":"Bad request"}}, as Node
 * answers a middleware's {@code next(err)}; {@link ConnectionError} observers see it.</li>
 * </ul>
 * A WebTransport session reaches the HTTP/3 listener, not the HTTP server: a middleware cannot run for it. While any
 * middleware bean exists, WebTransport sessions are refused (HTTP 403 on their CONNECT, as Node closes them) and the
 * handshake does not offer the upgrade to WebTransport; startup says so when {@code quarkus.socketio.transports}
 * lists {@code webtransport}.
 */
@FunctionalInterface
public interface EngineMiddleware {

    Uni<Void> apply(RoutingContext ctx);
}
