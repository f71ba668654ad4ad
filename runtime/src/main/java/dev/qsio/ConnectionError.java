package dev.qsio;

/**
 * A request the Engine.IO server refused: Node's {@code io.engine.on("connection_error", err => ...)}. Fired as a
 * CDI event for every refused handshake or request (an unknown transport or session, a bad handshake method, a bad
 * request, an origin or a {@link HandshakeFilter} that refused it, an unsupported protocol version, a server at
 * capacity), so that an application can log or count them:
 *
 * <pre>
 * void refused(&#64;Observes ConnectionError error) {
 *     log.warnf("%s %s from %s: %s", error.method(), error.path(), error.remoteAddress(), error.message());
 * }
 * </pre>
 *
 * Observers run on the event loop, synchronously, and must not block. The refusal itself (the HTTP status and the
 * JSON body the client reads) does not depend on them; an observer that throws is logged and ignored.
 *
 * @param code the Engine.IO error code the client receives (0 unknown transport, 1 unknown session id, 2 bad
 *        handshake method, 3 bad request, 4 forbidden, 5 unsupported protocol version)
 * @param message the message the client receives
 * @param status the HTTP status of the answer
 * @param method the request's HTTP method
 * @param path the request's path and query
 * @param remoteAddress the client's address, as {@code host:port}
 */
public record ConnectionError(int code, String message, int status, String method, String path, String remoteAddress) {
}
