package dev.qsio;

import io.smallrye.mutiny.Uni;

/**
 * Decides later whether an Engine.IO handshake may open a session: Node's {@code allowRequest(req, callback)}, which
 * answers whenever it likes, for checks that ask a store (a token, a list of addresses, a quota) that a
 * {@link HandshakeFilter} could only reach by blocking its event loop.
 * <p>
 * Declare a CDI bean implementing this interface. For every handshake (polling, WebSocket and WebTransport) the
 * {@link HandshakeFilter} beans are asked first, at once; once they all allow it, the {@code AsyncHandshakeFilter} beans
 * are asked one after the other, each once the one before has allowed. Every bean must allow the handshake: the first
 * refusal answers the client, and the beans after it are not asked.
 * <ul>
 * <li>{@link #check} is called on the request's event loop and must not block: it returns a {@code Uni} that completes
 * later, from a non-blocking client (the reactive Redis or SQL clients, a Vert.x web client). A check that blocks (JDBC,
 * a blocking HTTP client) runs its work on a worker thread:
 * {@code Uni.createFrom().item(() -> store.lookup(token)).runSubscriptionOn(Infrastructure.getDefaultWorkerPool())}.</li>
 * <li>The {@code Uni} may complete on any thread: the handshake goes on, on the request's event loop. Meanwhile the
 * request waits, paused, and the event loop serves other clients.</li>
 * <li>A client that leaves while its check runs gets nothing opened for it: the {@code Uni} is cancelled, and no
 * session opens or counts against the limits of its address.</li>
 * <li>{@link HandshakeFilter.Decision#refuse(String)} answers as a {@link HandshakeFilter}'s refusal does: HTTP 403 with
 * {@code {"code":4,"message":"<message>"}}. A {@code null} decision refuses with {@code "Forbidden"}.</li>
 * <li>A {@code Uni} that fails (or a {@code check} that throws or returns {@code null}) refuses the handshake with 403
 * {@code {"code":4,"message":"Forbidden"}}, and the failure is logged at ERROR naming the bean's class.</li>
 * <li>The checks of one handshake have {@code quarkus.socketio.handshake-filter-timeout} (10 s by default), together.
 * Past it the running {@code Uni} is cancelled and the client gets HTTP 503 with {@code Retry-After} and
 * {@code {"code":4,"message":"Handshake check timed out"}}: it was not refused for who it is, the server could not
 * decide in time, and 503 says so to the client, to proxies and to monitoring (403 would tell it to stop trying).
 * Timeouts are logged at WARN naming the bean's class (at most once a minute for each bean, with their count) and
 * counted in {@code socketio_handshakes_filtered_total{reason="timeout"}}.</li>
 * </ul>
 * Over WebTransport a refusal closes the WebTransport session, as a {@link HandshakeFilter}'s does.
 *
 * @see HandshakeFilter
 */
@FunctionalInterface
public interface AsyncHandshakeFilter {

    /**
     * Returns a {@code Uni} of {@link HandshakeFilter.Decision#allow()} or {@link HandshakeFilter.Decision#refuse(String)};
     * called on the event loop, it must not block.
     */
    Uni<HandshakeFilter.Decision> check(HandshakeRequest request);
}
