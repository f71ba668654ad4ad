package dev.qsio.runtime.protocol;

import java.util.ArrayList;
import java.util.List;

import dev.qsio.runtime.engine.EnginePacket;
import io.vertx.core.buffer.Buffer;

/**
 * A Socket.IO packet encoded for the wire: a text header and its binary attachments, as the Engine.IO messages
 * that carry them. One encoded packet is written unchanged to every recipient of a broadcast.
 */
public final class Encoded {

    private final List<EnginePacket> messages;
    private final long ackId;

    Encoded(String text, List<Buffer> attachments, long ackId) {
        this.ackId = ackId;
        if (attachments.isEmpty()) {
            this.messages = List.of(EnginePacket.message(text));
        } else {
            List<EnginePacket> m = new ArrayList<>(attachments.size() + 1);
            m.add(EnginePacket.message(text));
            for (Buffer b : attachments) {
                m.add(EnginePacket.message(b));
            }
            this.messages = List.copyOf(m);
        }
    }

    /** An encoded packet from its parts, as received from another server. */
    public static Encoded of(String text, List<Buffer> attachments) {
        return new Encoded(text, attachments, -1);
    }

    /** The Engine.IO messages, header first; all must be sent together and in order. */
    public List<EnginePacket> messages() {
        return messages;
    }

    /** The acknowledgement id in the packet, or -1. */
    public long ackId() {
        return ackId;
    }

    /** The binary attachments, in order. */
    public List<Buffer> attachments() {
        return messages.subList(1, messages.size()).stream().map(EnginePacket::binary).toList();
    }

    public boolean single() {
        return messages.size() == 1;
    }

    public String text() {
        return messages.get(0).text();
    }

    @Override
    public String toString() {
        return text() + (single() ? "" : " +" + (messages.size() - 1) + " attachments");
    }
}
