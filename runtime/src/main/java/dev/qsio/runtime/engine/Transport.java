package dev.qsio.runtime.engine;

import java.util.List;

/**
 * How packets reach one client: HTTP long-polling or WebSocket. A session has one current transport and, during
 * an upgrade, a second one being probed. All methods are called with the session's lock held.
 */
abstract sealed class Transport permits PollingTransport, WebSocketTransport, RemoteTransport {

    final EngineSession<?> session;

    Transport(EngineSession<?> session) {
        this.session = session;
    }

    abstract String name();

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

    /** Ends the transport at once, dropping what the client has not read (a session over its buffer bound). */
    void abort() {
        close();
    }

    /** Ends the transport: the client sees the session closed. */
    abstract void close();

    /** Releases the transport after an upgrade replaced it, without closing the session. */
    abstract void discard();
}
