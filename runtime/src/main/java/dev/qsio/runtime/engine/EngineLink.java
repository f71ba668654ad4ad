package dev.qsio.runtime.engine;

import io.vertx.core.buffer.Buffer;

/**
 * How the engine reaches the other servers of a cluster, to find the owner of a session and forward its packets.
 * Implemented by the cluster layer over its bus; the engine knows nothing else of it.
 */
public interface EngineLink {

    /** This server's member id. */
    String self();

    /** How many other servers there are now. */
    int others();

    /** Sends a message to every other server. */
    void publish(Buffer message);

    /** Sends a message to one server. */
    void send(String member, Buffer message);
}
