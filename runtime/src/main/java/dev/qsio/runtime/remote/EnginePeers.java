package dev.qsio.runtime.remote;

import java.util.Set;

import dev.qsio.runtime.engine.Ids;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;

/**
 * The other servers of a cluster as the cross-server engine reaches them, to find the owner of a session and forward
 * its packets: the {@code ENGINE} channel of the bus, and, on a host of several workers, the hand-off of connections.
 * Implemented by the cluster layer over its bus.
 */
public interface EnginePeers {

    /** What the cross-server engine is told of the other servers. */
    interface Receiver {

        /** A message from the engine of another server. */
        void onMessage(String from, Buffer message);

        /** A server left the cluster. */
        void onMemberLeft(String member);
    }

    /** The connection of a request, given to the server of this host that owns its session. */
    @FunctionalInterface
    interface HandOff {

        /** Sends the connection away with the request, and {@code body} when it was read here (a POST). */
        void send(Buffer body);
    }

    /** A new session id; in a cluster, one that says which server owns the session. */
    default String newSessionId() {
        return Ids.next();
    }

    /**
     * How to give the connection of {@code request} to the server of this host that owns session {@code sid}, or
     * null when that cannot be done (the owner is elsewhere or unknown, or the connection cannot move: TLS, HTTP/2):
     * the request is then forwarded over the bus.
     */
    default HandOff handOff(String sid, HttpServerRequest request) {
        return null;
    }

    /**
     * Whether every request for a session reaches the server that owns it, now: there is no other server, or each
     * other one is on this host and hands connections to their owner. Then a new session need not wait for an
     * upgrade landing elsewhere (the delayed connection).
     */
    default boolean requestsReachOwners() {
        return others().isEmpty();
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

    /** This server's member id. */
    String self();

    /** The other servers now. */
    Set<String> others();

    /** Sends a message to every other server. */
    void publish(Buffer message);

    /** Sends a message to one server. */
    void send(String member, Buffer message);

    /** Sets who receives the messages of the other servers' engines. */
    void receive(Receiver receiver);
}
