package dev.qsio.runtime.adapter;

import java.util.List;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.JsonNode;

import dev.qsio.RemoteSocket;
import dev.qsio.runtime.protocol.Encoded;

/** A socket connected to this process, as the adapter acts on it. */
public interface AdapterSocket extends RemoteSocket {

    /**
     * Writes an encoded packet to the client; with {@code dropIfBusy}, only if its transport takes it at once. (A
     * broadcast to many sockets goes through the namespace's {@link LocalSockets.Delivery} instead, which writes to
     * them together.)
     */
    void write(Encoded packet, boolean dropIfBusy);

    /**
     * Where this socket's packets are best written from: an opaque key of the thread its connection lives on, or null
     * where it has none (polling); what {@link Partitions} groups a room's members by.
     */
    default Object home() {
        return null;
    }

    /**
     * Registers the callback of an acknowledgement the client will send under {@code ackId}, for a broadcast: the
     * socket lets it go without calling it when it leaves first, or when the broadcast lets it go at its timeout
     * ({@link #forgetAck}); the broadcast fails by its own timer.
     */
    void expectAck(long ackId, Consumer<List<JsonNode>> callback);

    /** Lets go the acknowledgement {@code ackId} if the socket still awaits it, without calling its callback. */
    void forgetAck(long ackId);
}
