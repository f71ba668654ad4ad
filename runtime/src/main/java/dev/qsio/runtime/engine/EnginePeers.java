package dev.qsio.runtime.engine;

import java.util.Set;

import io.vertx.core.buffer.Buffer;

/**
 * The other servers of a cluster as the engine reaches them, to find the owner of a session and forward its
 * packets. Implemented by the cluster layer over its bus; the engine knows nothing else of it.
 */
public interface EnginePeers {

    /** A single process: no other server. */
    EnginePeers NONE = new EnginePeers() {
        @Override
        public boolean clustered() {
            return false;
        }

        @Override
        public String self() {
            return "self";
        }

        @Override
        public Set<String> others() {
            return Set.of();
        }

        @Override
        public void publish(Buffer message) {
        }

        @Override
        public void send(String member, Buffer message) {
        }

        @Override
        public void receive(Receiver receiver) {
        }
    };

    /** What the engine is told of the other servers. */
    interface Receiver {

        /** A message from the engine of another server. */
        void onMessage(String from, Buffer message);

        /** A server left the cluster. */
        void onMemberLeft(String member);
    }

    /** Whether this server is part of a cluster (sessions may be owned elsewhere). */
    default boolean clustered() {
        return true;
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
