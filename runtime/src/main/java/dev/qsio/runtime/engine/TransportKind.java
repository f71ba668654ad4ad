package dev.qsio.runtime.engine;

import dev.qsio.HandshakeRequest;
import io.vertx.core.http.HttpServerRequest;

/**
 * A kind of Engine.IO transport, as {@link Transports} registers it: its name (the {@code transport} parameter of
 * every request, and what {@code quarkus.socketio.transports} lists), whether its client makes a request for each poll
 * and each send (HTTP long-polling) or holds one connection (WebSocket, WebTransport), and its rank: a session may
 * upgrade to a connection-holding kind of a higher rank, as the reference server's {@code upgradesTo} lists say
 * (polling to WebSocket or WebTransport, WebSocket to WebTransport). Its transport class writes the frames; the kind
 * opens sessions on it.
 */
public abstract class TransportKind {

    private final String name;
    private final boolean requestBased;
    private final int rank;

    protected TransportKind(String name, boolean requestBased, int rank) {
        this.name = name;
        this.requestBased = requestBased;
        this.rank = rank;
    }

    /** The name clients give in the {@code transport} parameter. */
    public final String name() {
        return name;
    }

    /**
     * Whether the client sends a request for each poll and each send, which any server of a cluster may receive;
     * otherwise it holds one connection, opened by an HTTP upgrade.
     */
    public final boolean requestBased() {
        return requestBased;
    }

    /** Whether a session on this transport may upgrade to {@code to}. */
    public final boolean upgradesTo(TransportKind to) {
        return !to.requestBased && to.rank > rank;
    }

    /** The order in which the handshake offers upgrades, and the figures list the transports. */
    final int rank() {
        return rank;
    }

    /**
     * Checks the settings of what this transport listens on besides the application's HTTP server, when it is among
     * {@code endpoints}' transports: a bad value fails startup, naming its key, before the warm-up. Called once, at
     * startup, before {@link #listen}.
     */
    void check(EngineEndpoints endpoints) {
    }

    /**
     * Starts what this transport listens on besides the application's HTTP server (WebTransport's UDP port), when it
     * is among {@code endpoints}' transports; returns what stops it, or null. Called once, at startup, after the
     * warm-up, just before the HTTP server binds: no client reaches the process through it before then.
     */
    AutoCloseable listen(EngineEndpoints endpoints) {
        return null;
    }

    /** Whether {@code request} is an HTTP upgrade to this transport's connection (never, for a request-based one). */
    boolean isUpgrade(HttpServerRequest request) {
        return false;
    }

    /** Opens a new session on this transport for an accepted handshake. */
    abstract <C> void open(EngineServer<C> server, HttpServerRequest request, HandshakeRequest handshake, boolean eio3,
            AddressLimits.Entry address);

    /**
     * Upgrades {@code session} to this transport, when the session may upgrade now; otherwise the connection is
     * accepted and closed, and the session goes on undisturbed. Refused by a kind that no HTTP request upgrades to.
     */
    <C> void upgrade(EngineServer<C> server, EngineSession<C> session, HttpServerRequest request) {
        server.refuse(request, EngineError.BAD_REQUEST);
    }

    @Override
    public String toString() {
        return name;
    }
}
