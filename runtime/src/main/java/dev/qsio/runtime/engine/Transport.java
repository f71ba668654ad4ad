package dev.qsio.runtime.engine;

import java.util.List;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;

/**
 * How packets reach one client: one class for each {@link TransportKind} ({@link PollingTransport},
 * {@link WebSocketTransport}), and {@link RelayedTransport} for a connection another server holds. A session has one
 * current transport and, during an upgrade, a second one being probed; it asks its transport rather than testing
 * which one it is. Every method is called with the session's lock held, unless it says otherwise.
 */
abstract class Transport {

    final EngineSession<?> session;

    Transport(EngineSession<?> session) {
        this.session = session;
    }

    abstract TransportKind kind();

    /** Whether packets given to {@link #send(List)} now reach the client at once. */
    abstract boolean writable();

    /** Writes packets; only called when {@link #writable()}. */
    abstract void send(List<EnginePacket> packets);

    /** Writes one packet; only called when {@link #writable()}. */
    abstract void send(EnginePacket packet);

    /** Bytes written to this transport that the client has not taken yet (beyond a small allowance). */
    long backlog() {
        return 0;
    }

    /** The part of {@link #backlog()} its client may miss under the {@code drop-oldest} policy ({@link Drops}). */
    long droppableBacklog() {
        return 0;
    }

    /** Ends the transport at once, dropping what the client has not read (a session over its buffer bound). */
    void abort() {
        close();
    }

    /**
     * The session is closing gracefully ({@link EngineSession#close(String)}): what it still sends goes out, but what
     * the client would send no longer matters. Called with the session's lock held.
     */
    void closing() {
    }

    /**
     * The server is draining: the session will be closed soon (within {@code drain-spread}). A transport whose protocol
     * can say so tells its client (WebTransport's DRAIN capsule).
     */
    void draining() {
    }

    /** Ends the transport: the client sees the session closed. */
    abstract void close();

    /** Releases the transport after an upgrade replaced it, without closing the session. */
    abstract void discard();

    /**
     * Whether the client learns that the session closes from a CLOSE packet written to it (polling, a connection
     * relayed by another server), rather than from the end of its connection.
     */
    boolean closesWithPacket() {
        return true;
    }

    /**
     * Whether a packet that may be dropped ({@code volatile} in Socket.IO) should be: the transport cannot take it now
     * without queueing.
     */
    boolean congested() {
        return !writable();
    }

    /**
     * Where broadcasts write this session's frames directly ({@link Fanout}), or null when they go through
     * {@link EngineSession#send(EnginePacket)}. Called under the session's lock as the transport becomes the session's.
     */
    BroadcastTarget broadcastTarget() {
        return null;
    }

    /** Whether this connection compresses what it is written (read without the session's lock). */
    boolean deflating() {
        return false;
    }

    /** Writes what was sent from off the connection's event loop and waits there (see {@link WebSocketTransport}). */
    void writeQueued() {
    }

    /**
     * A request of a request-based transport for this session (a poll or a send), called without the lock: refused
     * by a transport that takes none. A POST ends the session, as a second POST at once does on polling.
     */
    void onRequest(HttpServerRequest request) {
        session.server.refuse(request, EngineError.BAD_REQUEST);
        if (request.method() == HttpMethod.POST) {
            session.onClose("transport error");
        }
    }

    /** An upgrade is probed: a poll waiting for packets is answered, so that the client can pause polling. */
    void release() {
    }

    /** The client sent a CLOSE packet on this transport. */
    void clientClosed() {
    }

    // ---- as other servers reach the session: called through its SessionLease only, in a cluster

    /**
     * Whether another server may serve a request of this session that the client sent there ({@code read}: a poll;
     * {@code tag}: its tag, see {@link PollingTransport}).
     */
    boolean lends(boolean read, String tag) {
        return false;
    }

    /** A poll of this session waits on another server: the next packets go there ({@link Relay}). */
    void readElsewhere(Relay reader, String tag) {
    }

    /**
     * Server {@code holder} is gone: what it held for this transport is let go. Returns whether that was the client's
     * connection (the session is then over).
     */
    boolean holderGone(String holder) {
        return false;
    }

    /**
     * Whether the end of a connection that server {@code holder} held for this session is no longer this session's
     * business: a poll parked there that was since retried elsewhere.
     */
    boolean outlived(String holder, String reason) {
        return false;
    }
}
