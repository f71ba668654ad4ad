package dev.qsio.runtime.adapter;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;

import com.fasterxml.jackson.databind.JsonNode;

import dev.qsio.RemoteSocket;
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

    /** The rooms that have local members. */
    Set<String> rooms();

    /** Writes the broadcast's packet to every selected socket; the same bytes go to every recipient. */
    void broadcast(Broadcast broadcast);

    /**
     * Sends the broadcast with an acknowledgement id to every selected socket and collects their answers: every
     * argument of each, once every server reported and every client answered, or {@link dev.qsio.AckTimeoutException}
     * at the timeout (a client that left meanwhile is waited for until then, as in Node).
     */
    CompletionStage<List<List<JsonNode>>> broadcastWithAck(Broadcast broadcast, Duration timeout);

    /** The selected sockets. */
    Uni<List<RemoteSocket>> fetchSockets(BroadcastOptions options);

    /** Makes the selected sockets join rooms. */
    void addSockets(BroadcastOptions options, Set<String> rooms);

    /** Makes the selected sockets leave rooms. */
    void delSockets(BroadcastOptions options, Set<String> rooms);

    /** Disconnects the selected sockets. */
    void disconnectSockets(BroadcastOptions options, boolean close);

    /** Sends an event to the other servers, without waiting for an answer. */
    void serverSideEmit(String event, Object[] args);

    /**
     * Sends an event to the other servers and collects the answer of each, or fails with
     * {@link dev.qsio.AckTimeoutException} at the timeout.
     */
    Uni<List<JsonNode>> serverSideEmitWithAck(String event, Object[] args, Duration timeout);

    /** The number of servers, this one included. */
    Uni<Integer> serverCount();

    /** Releases resources when the namespace goes away. */
    default void close() {
    }
}
