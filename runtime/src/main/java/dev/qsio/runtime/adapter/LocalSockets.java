package dev.qsio.runtime.adapter;

import java.util.Collection;
import java.util.Set;
import java.util.function.Consumer;

import dev.qsio.BroadcastOperator;
import dev.qsio.RoomEvent;
import dev.qsio.runtime.protocol.Encoded;

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

    /** Runs {@code task} once, {@code delayMs} from now, on the namespace's timers. */
    void later(long delayMs, Runnable task);

    /**
     * A delivery of one packet to local sockets, each added in turn: the namespace may write to them together (one
     * encoding, one task per event loop) when {@link Delivery#finish()} is called; {@code expected} is about how many
     * sockets there will be. By default each socket is written as it is added.
     */
    default Delivery delivery(Encoded packet, boolean dropIfBusy, int expected) {
        return new Delivery() {
            @Override
            public void add(AdapterSocket socket) {
                socket.write(packet, dropIfBusy);
            }

            @Override
            public void finish() {
            }
        };
    }

    /**
     * A delivery of one packet to the members of a large room, grouped by where they live, but those whose id is in
     * {@code except}: the namespace may deliver to each group on its own thread. By default, all on the caller's.
     */
    default void deliver(Encoded packet, boolean dropIfBusy, Set<String> except, Partitions partitions) {
        Delivery delivery = delivery(packet, dropIfBusy, partitions.total());
        for (int i = 0; i < partitions.size(); i++) {
            for (AdapterSocket socket : partitions.members(i)) {
                if (!except.contains(socket.id())) {
                    delivery.add(socket);
                }
            }
        }
        delivery.finish();
    }

    /** One packet to several local sockets; used by one thread. */
    interface Delivery {
        /** Adds a socket of this namespace. */
        void add(AdapterSocket socket);

        /** Writes to the sockets added. */
        void finish();
    }

    /** Where the adapter reports room changes, or null when nobody observes them (nothing is then reported). */
    default Consumer<RoomEvent> roomEvents() {
        return null;
    }

    /** The socket with this id wherever it is in the cluster, as an operator (for actions on remote sockets). */
    BroadcastOperator select(String socketId);
}
