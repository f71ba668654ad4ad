package dev.qsio.runtime.protocol;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A decoded Socket.IO packet. Binary attachments are already in place in {@link #data()} as
 * {@link com.fasterxml.jackson.databind.node.BinaryNode}s, and BINARY_EVENT/BINARY_ACK are reported as
 * EVENT/ACK: the distinction only matters on the wire.
 *
 * @param kind the packet type
 * @param namespace the namespace, {@code "/"} when absent on the wire
 * @param id the acknowledgement id, or {@code -1}
 * @param data the payload, or {@code null}
 */
public record Packet(PacketKind kind, String namespace, long id, JsonNode data) {

    public static final long NO_ID = -1;

    public boolean hasId() {
        return id >= 0;
    }
}
