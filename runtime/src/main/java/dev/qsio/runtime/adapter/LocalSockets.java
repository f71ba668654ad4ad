package dev.qsio.runtime.adapter;

import java.util.Collection;

import dev.qsio.BroadcastOperator;

/**
 * The sockets of one namespace in this process, as its adapter sees them. Implemented by the namespace, so that the
 * adapter needs nothing else of the server.
 */
public interface LocalSockets {

    /** The namespace name. */
    String name();

    /** The connected sockets. */
    Collection<? extends AdapterSocket> sockets();

    /** The connected socket with this id, or {@code null}. */
    AdapterSocket socket(String id);

    /**
     * A new acknowledgement id: ids are per namespace, so that a broadcast's never collides with one a socket
     * uses for its own {@code emitWithAck}.
     */
    long nextAckId();

    /** The socket with this id wherever it is in the cluster, as an operator (for actions on remote sockets). */
    BroadcastOperator select(String socketId);
}
