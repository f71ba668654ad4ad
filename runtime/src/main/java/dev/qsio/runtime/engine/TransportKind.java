package dev.qsio.runtime.engine;

import java.util.List;

import dev.qsio.HandshakeRequest;
import io.vertx.core.http.HttpServerRequest;

/**
 * A kind of Engine.IO transport, as {@link Transports} registers it: its name (the {@code transport} parameter of
 * every request, and what {@code quarkus.socketio.transports} lists), whether its client makes a request for each poll
 * and each send (HTTP long-polling) or holds one connection (WebSocket), and the kinds a session on it may upgrade to.
 * Its transport class writes the frames; the kind opens sessions on it.
 */
public abstract class TransportKind {

    private final String name;
    private final boolean requestBased;
    private final List<String> upgradesTo;

    protected TransportKind(String name, boolean requestBased, List<String> upgradesTo) {
        this.name = name;
        this.requestBased = requestBased;
        this.upgradesTo = List.copyOf(upgradesTo);
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

    /** The names of the kinds a session on this transport may upgrade to, best first. */
    public final List<String> upgradesTo() {
        return upgradesTo;
    }

    /** Whether {@code request} is an HTTP upgrade to this transport's connection (never, for a request-based one). */
    abstract boolean isUpgrade(HttpServerRequest request);

    /** Opens a new session on this transport for an accepted handshake. */
    abstract <C> void open(EngineServer<C> server, HttpServerRequest request, HandshakeRequest handshake, boolean eio3,
            AddressLimits.Entry address);

    /**
     * Upgrades {@code session} to this transport, when the session may upgrade now; otherwise the connection is
     * accepted and closed, and the session goes on undisturbed.
     */
    abstract <C> void upgrade(EngineServer<C> server, EngineSession<C> session, HttpServerRequest request);

    @Override
    public String toString() {
        return name;
    }
}
