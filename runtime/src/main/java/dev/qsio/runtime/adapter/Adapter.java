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

    /** Writes an encoded packet to every selected socket; the same bytes go to every recipient. */
    void broadcast(Encoded packet, BroadcastOptions options);

    /**
     * Writes a packet that asks for an acknowledgement (its id already encoded) to every selected socket, with
     * {@code ack} registered on each under {@code id}; {@code recipients} receives the number of sockets reached.
     */
    void broadcastWithAck(Encoded packet, long id, BroadcastOptions options, IntConsumer recipients,
            java.util.function.Consumer<List<JsonNode>> ack);

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
    Uni<Integer> serverCount();

    /** Releases resources when the namespace goes away. */
    default void close() {
    }
}
