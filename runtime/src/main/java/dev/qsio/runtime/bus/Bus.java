package dev.qsio.runtime.bus;

import java.util.Set;

import io.vertx.core.buffer.Buffer;

/**
 * How the servers of a cluster reach each other. A bus carries opaque payloads between members; it knows nothing of
 * rooms or sessions. Each payload starts with a {@link Channel} byte so that several layers share one bus.
 * <p>
 * A member is one server (a worker, or a single process), named {@code <node>/<slot>} (a slot is one process of a worker).
 */
public interface Bus {

    /** This server's member id. */
    String self();

    /** The members known to be alive, this one included. */
    Set<String> members();

    /** Whether {@code member} runs on this server's host (its node part is this server's). */
    default boolean sameHost(String member) {
        String self = self();
        int end = self.indexOf('/');
        return end > 0 && member.length() > end && member.charAt(end) == '/' && member.startsWith(self.substring(0, end));
    }

    /** Whether this server is connected to the bus. */
    boolean isUp();

    /** Sends a payload to every other member. */
    void publish(Channel channel, Buffer payload);

    /** Sends a payload to one member; dropped if it is not (or no longer) a member. */
    void send(String member, Channel channel, Buffer payload);

    /** Registers the receiver of a channel's payloads and of membership changes. */
    void listen(Channel channel, Listener listener);

    /** Which layer a payload belongs to. */
    enum Channel {
        /** Engine.IO session ownership and forwarding. */
        ENGINE,
        /** Cluster adapter: broadcasts, requests and responses. */
        ADAPTER,
        /** Messages between the primary and its workers. */
        CONTROL;

        public static final Channel[] ALL = values();
    }

    /** Receives payloads and membership changes. */
    interface Listener {

        void onMessage(String from, Buffer payload);

        default void onMemberJoined(String member) {
        }

        default void onMemberLeft(String member) {
        }
    }
}
