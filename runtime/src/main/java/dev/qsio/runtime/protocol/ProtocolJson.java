package dev.qsio.runtime.protocol;

import java.io.IOException;
import java.nio.ByteBuffer;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;

import io.vertx.core.buffer.Buffer;

/**
 * The Jackson setup of the protocol: the application's {@link ObjectMapper} (so its modules and settings apply to
 * handler arguments), copied, with binary types written through {@link JsonGenerator#writeBinary(byte[])} so the
 * encoder can turn them into attachments.
 */
public final class ProtocolJson {

    private ProtocolJson() {
    }

    public static ObjectMapper protocolMapper(ObjectMapper application) {
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
