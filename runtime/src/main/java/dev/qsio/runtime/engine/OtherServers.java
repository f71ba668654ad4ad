package dev.qsio.runtime.engine;

import io.quarkus.security.identity.SecurityIdentity;
import io.vertx.core.http.HttpServerRequest;

/**
 * The other servers of a cluster, as one engine server sees them: the one port through which the engine reaches
 * sessions it does not own. The cross-server engine (package {@code remote}) implements it, and reaches this server's
 * own sessions through the methods {@link EngineSession} offers it and the {@link Relay}s it gives them; the engine
 * knows nothing else of the cluster. {@link #NONE} in a single process.
 */
public interface OtherServers {

    /** A single process: no other server. */
    OtherServers NONE = new OtherServers() {
    };

    /** Makes the view of the other servers for one engine server (called once, as the server is created). */
    @FunctionalInterface
    interface Factory {

        /** A single process. */
        Factory NONE = server -> OtherServers.NONE;

        OtherServers of(EngineServer<?> server);
    }

    /** A new session id; in a cluster, one that says which server owns the session. */
    default String newSessionId() {
        return Ids.next();
    }

    /**
     * Whether an HTTP connection should end after each Engine.IO response rather than stay open for the client's next
     * request. So on a worker of a host of several: a connection left open in this worker may carry a request for
     * another worker's session next (browsers, Node's agent and pooling proxies reuse connections for any request),
     * and would die with this worker, that request with it. Closed, the next request comes on a new connection, which
     * the primary gives to the session's owner. (TLS and HTTP/2 connections, which cannot move, stay open.)
     */
    default boolean closesIdleConnections() {
        return false;
    }

    /**
     * How long a new session of a request-based transport waits before the application gets it, so that an upgrade
     * landing on another server may take it over meanwhile (as {@code @socket.io/cluster-engine} does); 0: at once.
     */
    default long delayedConnectionMs() {
        return 0;
    }

    /**
     * Serves a request that names a session this server does not have, on another server that owns it: returns false
     * when no other server can (the engine then answers as for any unknown session).
     *
     * @param kind the transport the request names
     * @param upgrade whether it is an HTTP upgrade (to a WebSocket)
     * @param identity what the HTTP authentication established for the request, or null
     */
    default boolean serve(HttpServerRequest request, String sid, TransportKind kind, boolean upgrade,
            SecurityIdentity identity) {
        return false;
    }

    /**
     * Serves a WebTransport upgrade of a session this server does not have, for the other server that owns it: the
     * stream is probed here, then this server takes the session over or relays the stream to the owner. Returns false
     * when no other server can (the stream is then closed, as for any unknown session).
     */
    default boolean serve(String sid, UpgradeStream stream) {
        return false;
    }

    /** Ends the connections this server holds for sessions of other servers (this server shuts down). */
    default void shutdown() {
    }
}
