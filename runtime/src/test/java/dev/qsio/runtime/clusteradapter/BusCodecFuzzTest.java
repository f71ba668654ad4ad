package dev.qsio.runtime.clusteradapter;

import java.io.IOException;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.qsio.runtime.protocol.ProtocolJson;
import io.vertx.core.buffer.Buffer;

/**
 * Fuzzes what servers read from each other: the bus's adapter messages ({@link BusCodec}) and the messages of Node's
 * adapters and emitters on Redis and PostgreSQL ({@link NodeMessages#read}). Whatever bytes arrive, the answer is a
 * message or {@link IOException} (that message is dropped), never another exception or an allocation the bytes do
 * not carry. See {@code dev.qsio.runtime.fuzz.EngineDecoderFuzzTest} for how the build runs it.
 */
class BusCodecFuzzTest {

    private static final ProtocolJson JSON = ProtocolJson.from(new ObjectMapper());
    private static final BusCodec CODEC = new BusCodec(JSON);
    private static final NodeMessages NODE = new NodeMessages(new ObjectMapper());

    @FuzzTest
    void busMessages(byte[] bytes) {
        try {
            CODEC.decode(Buffer.buffer(bytes));
        } catch (IOException expected) {
            // dropped
        }
        try {
            NODE.read(Buffer.buffer(bytes));
        } catch (IOException expected) {
            // dropped
        }
    }
}
