package dev.qsio.runtime.adapter;

import java.util.List;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.JsonNode;

import dev.qsio.RemoteSocket;
import dev.qsio.runtime.engine.Fanout;
import dev.qsio.runtime.protocol.Encoded;

/** A socket connected to this process, as the adapter acts on it. */
public interface AdapterSocket extends RemoteSocket {

    /** Writes an encoded packet to the client; with {@code dropIfBusy}, only if its transport takes it at once. */
    void write(Encoded packet, boolean dropIfBusy);

    /**
     * Adds this socket's connection to the fan-out of a broadcast of a one-message packet, under the same rules as
     * {@link #write} (a {@link LocalSockets.Delivery} writes to many sockets together); whether it was added.
     */
    boolean deliverTo(Encoded packet, Fanout fanout);

    /** Registers the callback of an acknowledgement the client will send under {@code ackId}. */
    void expectAck(long ackId, Consumer<List<JsonNode>> callback);
}
