package dev.qsio.runtime.adapter;

import java.util.List;
import java.util.Set;
import java.util.function.IntConsumer;

import com.fasterxml.jackson.databind.JsonNode;

import dev.qsio.RemoteSocket;
import dev.qsio.runtime.protocol.Encoded;
import io.smallrye.mutiny.Uni;

/**
 * The room index of one namespace and the operations that select sockets through it: Node's {@code Adapter}. The
 * in-memory adapter serves one process; a cluster adapter also reaches the other workers and hosts.
 */
public interface Adapter {

    /** Adds a socket to rooms. */
    void addAll(String id, Set<String> rooms);

    /** Removes a socket from a room. */
    void del(String id, String room);

    /** Removes a socket from all its rooms. */
    void delAll(String id);

    /** The rooms of a local socket (empty if unknown). */
    Set<String> socketRooms(String id);

    /** The local socket ids in a room. */
    Set<String> roomMembers(String room);

    /** The rooms that have local members. */
    Set<String> rooms();

    /**
     * Writes an encoded packet to every selected socket; the same bytes go to every recipient. {@code event} names
     * the event for the servers' {@code @OnBroadcast} subscribers.
     */
    void broadcast(Encoded packet, String event, BroadcastOptions options);

    /**
     * Emits an event that asks each selected socket for an acknowledgement. {@code clientCount} is called once per
     * server with the number of sockets it reached; {@code ack} once per acknowledgement with its first argument.
     */
    void broadcastWithAck(String event, Object[] args, BroadcastOptions options, long timeoutMs, IntConsumer clientCount,
            java.util.function.Consumer<JsonNode> ack);

    /** How many servers a broadcast with acknowledgements waits for, this one included. */
    int serverCountNow();

    /** The selected sockets. */
    Uni<List<RemoteSocket>> fetchSockets(BroadcastOptions options);

    /** Makes the selected sockets join rooms. */
    void addSockets(BroadcastOptions options, Set<String> rooms);

    /** Makes the selected sockets leave rooms. */
    void delSockets(BroadcastOptions options, Set<String> rooms);

    /** Disconnects the selected sockets. */
    void disconnectSockets(BroadcastOptions options, boolean close);

    /** Sends an event to the other servers; {@code null} ack for no answer. */
    void serverSideEmit(String event, Object[] args, java.util.function.Consumer<List<JsonNode>> ack,
            java.util.function.Consumer<Throwable> timeout, long timeoutMs);

    /** The number of servers, this one included. */
    default Uni<Integer> serverCount() {
        return Uni.createFrom().item(serverCountNow());
    }

    /** Releases resources when the namespace goes away. */
    default void close() {
    }
}
