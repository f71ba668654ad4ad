package dev.qsio.runtime.protocol;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;

import io.vertx.core.buffer.Buffer;

/**
 * The Jackson setup of the protocol, made once per application: the application's {@link ObjectMapper} (so its
 * modules and settings apply to handler arguments), copied, with binary types written through
 * {@link JsonGenerator#writeBinary(byte[])} so the encoder can turn them into attachments; the packet encoder; and
 * the strict reader every decoder shares.
 */
public final class ProtocolJson {

    private final ObjectMapper mapper;
    private final PacketEncoder encoder;
    private final ObjectReader strictReader;

    private ProtocolJson(ObjectMapper mapper) {
        this.mapper = mapper;
        this.encoder = new PacketEncoder(mapper);
        this.strictReader = PacketDecoder.strictReader(mapper);
    }

    /** The protocol's setup from the application's mapper. */
    public static ProtocolJson from(ObjectMapper application) {
        return new ProtocolJson(protocolMapper(application));
    }

    public ObjectMapper mapper() {
        return mapper;
    }

    public PacketEncoder encoder() {
        return encoder;
    }

    /** A decoder for one connection. */
    public PacketDecoder decoder(int maxAttachments) {
        return new PacketDecoder(strictReader, maxAttachments);
    }

    /** Decodes one packet and its binary attachments, as another server sent them. */
    public Packet decode(String text, List<byte[]> attachments) throws ProtocolException {
        PacketDecoder decoder = decoder(Math.max(64, attachments.size()));
        Packet packet = decoder.onText(text);
        for (byte[] a : attachments) {
            packet = decoder.onBinary(Buffer.buffer(a));
        }
        if (packet == null) {
            throw new ProtocolException("incomplete packet");
        }
        return packet;
    }

    /** Decodes a packet this server encoded (to show it to the application, as outgoing listeners do). */
    public Packet decode(Encoded packet) throws ProtocolException {
        PacketDecoder decoder = decoder(Math.max(64, packet.messages().size()));
        Packet decoded = decoder.onText(packet.text());
        for (Buffer a : packet.attachments()) {
            decoded = decoder.onBinary(a);
        }
        if (decoded == null) {
            throw new ProtocolException("incomplete packet");
        }
        return decoded;
    }

    static ObjectMapper protocolMapper(ObjectMapper application) {
        ObjectMapper copy = application.copy();
        copy.disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);
        SimpleModule binary = new SimpleModule("qsio-binary");
        binary.addSerializer(Buffer.class, new StdSerializer<>(Buffer.class) {
            @Override
            public void serialize(Buffer value, JsonGenerator gen, SerializerProvider provider) throws IOException {
                gen.writeBinary(value.getBytes());
            }
        });
        binary.addSerializer(ByteBuffer.class, new StdSerializer<>(ByteBuffer.class) {
            @Override
            public void serialize(ByteBuffer value, JsonGenerator gen, SerializerProvider provider) throws IOException {
                ByteBuffer b = value.duplicate();
                byte[] bytes = new byte[b.remaining()];
                b.get(bytes);
                gen.writeBinary(bytes);
            }
        });
        copy.registerModule(binary);
        return copy;
    }
}
