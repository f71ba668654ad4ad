package dev.qsio.runtime.protocol;

import java.util.ArrayList;
import java.util.Base64;
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

    /** A packet that is one binary message (the msgpack parser's). */
    Encoded(Buffer packet, long ackId) {
        this.ackId = ackId;
        this.messages = List.of(EnginePacket.message(packet));
    }

    /** An encoded packet from its parts, as received from another server. */
    public static Encoded of(String text, List<Buffer> attachments) {
        return new Encoded(text, attachments, -1);
    }

    private Encoded(List<EnginePacket> messages, long ackId) {
        this.messages = messages;
        this.ackId = ackId;
    }

    /** The same packet, never compressed (Node's {@code compress(false)}). */
    public Encoded uncompressed() {
        return new Encoded(messages.stream().map(EnginePacket::uncompressed).toList(), ackId);
    }

    /** A packet that is one binary message (the msgpack parser's), as received from another server. */
    public static Encoded binary(Buffer packet) {
        return new Encoded(packet, -1);
    }

    /** Whether the packet is one binary message (the msgpack parser's) rather than text and attachments. */
    public boolean binaryPacket() {
        return messages.get(0).isBinary();
    }

    /** The Engine.IO messages, header first; all must be sent together and in order. */
    public List<EnginePacket> messages() {
        return messages;
    }

    /** About the bytes the packet holds (characters for text), header and attachments. */
    public long size() {
        long n = 0;
        for (EnginePacket m : messages) {
            n += m.size();
        }
        return n;
    }

    /** The acknowledgement id in the packet, or -1. */
    public long ackId() {
        return ackId;
    }

    /** The binary attachments, in order (none for a binary packet). */
    public List<Buffer> attachments() {
        return messages.subList(1, messages.size()).stream().map(EnginePacket::binary).toList();
    }

    public boolean single() {
        return messages.size() == 1;
    }

    /** The text header of the default parser's packet; null for a binary packet. */
    public String text() {
        EnginePacket first = messages.get(0);
        return first.isBinary() ? null : first.text();
    }

    /** What tells this packet from another: its text, or its bytes for a binary packet. */
    public String identity() {
        EnginePacket first = messages.get(0);
        return first.isBinary() ? "b" + Base64.getEncoder().encodeToString(first.binary().getBytes()) : first.text();
    }

    @Override
    public String toString() {
        return binaryPacket() ? "binary packet of " + messages.get(0).binary().length() + " bytes"
                : text() + (single() ? "" : " +" + (messages.size() - 1) + " attachments");
    }
}
