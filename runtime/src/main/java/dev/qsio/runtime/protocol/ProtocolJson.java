package dev.qsio.runtime.protocol;

import java.io.IOException;
import java.nio.ByteBuffer;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;

import org.msgpack.jackson.dataformat.MessagePackFactory;

import dev.qsio.runtime.codec.BoundedMessagePack;
import dev.qsio.runtime.engine.EnginePacket;
import io.vertx.core.buffer.Buffer;

/**
 * The Jackson setup of the protocol, made once per application: the application's {@link ObjectMapper} (so its
 * modules and settings apply to handler arguments), copied, with binary types written through
 * {@link JsonGenerator#writeBinary(byte[])} so the encoder can turn them into attachments; the packet encoder; and
 * the strict reader every decoder shares.
 */
public final class ProtocolJson {

    /** The packet format: Node's {@code parser} option. */
    public enum Parser {
        /** The default parser of {@code socket.io-parser}: JSON text and binary attachments. */
        DEFAULT,
        /** {@code socket.io-msgpack-parser}: each packet one MessagePack binary message. */
        MSGPACK
    }

    private final ObjectMapper mapper;
    private final Parser parser;
    private final PacketEncoder encoder;
    private final ObjectReader strictReader;
    private final ObjectReader msgpackReader;

    private ProtocolJson(ObjectMapper mapper, Parser parser) {
        this.mapper = mapper;
        this.parser = parser;
        this.strictReader = TextPacketDecoder.strictReader(mapper);
        if (parser == Parser.MSGPACK) {
            MessagePackFactory factory = BoundedMessagePack.factory();
            this.encoder = new PacketEncoder(mapper, factory);
            this.msgpackReader = new ObjectMapper(factory).reader();
        } else {
            this.encoder = new PacketEncoder(mapper, null);
            this.msgpackReader = null;
        }
    }

    /** The protocol's setup from the application's mapper, with the default parser. */
    public static ProtocolJson from(ObjectMapper application) {
        return from(application, Parser.DEFAULT);
    }

    /** The protocol's setup from the application's mapper, with a parser. */
    public static ProtocolJson from(ObjectMapper application, Parser parser) {
        return new ProtocolJson(protocolMapper(application), parser);
    }

    public Parser parser() {
        return parser;
    }

    public ObjectMapper mapper() {
        return mapper;
    }

    public PacketEncoder encoder() {
        return encoder;
    }

    /** A decoder for one connection. */
    public PacketDecoder decoder(int maxAttachments) {
        return msgpackReader != null ? new MsgpackPacketDecoder(msgpackReader)
                : new TextPacketDecoder(strictReader, maxAttachments);
    }

    /**
     * Decodes a packet encoded by a server of this application (this one or another of the cluster, which use the
     * same parser): to show it to the application, or to read an event relayed as a packet.
     */
    public Packet decode(Encoded packet) throws ProtocolException {
        PacketDecoder decoder = decoder(Math.max(64, packet.messages().size()));
        Packet decoded = null;
        for (EnginePacket message : packet.messages()) {
            decoded = message.isBinary() ? decoder.onBinary(message.binary()) : decoder.onText(message.text());
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
