package dev.qsio;

import java.util.Map;
import java.util.Set;

import io.quarkus.security.identity.SecurityIdentity;

/**
 * A socket as {@link BroadcastOperator#fetchSockets()} returns it: possibly connected to another worker or host.
 * Its state is a snapshot taken when it was fetched; the actions reach it wherever it is.
 */
public interface RemoteSocket {

    /** The socket id, unique across the cluster. */
    String id();

    /** The namespace name. */
    String namespace();

    Handshake handshake();

    /** The rooms the socket is in, its own id included. */
    Set<String> rooms();

    /**
     * Who the socket is: on its own server the identity its handlers see; fetched from another server, its
     * principal's name and roles only (no credentials; permission checks refuse).
     */
    SecurityIdentity securityIdentity();

    /** Data the application attached to the socket. */
    Map<String, Object> data();

    void emit(String event, Object... args);

    void join(String... rooms);

    void leave(String room);

    /** Disconnects the socket; with {@code close}, its whole connection is closed. */
    void disconnect(boolean close);
}
