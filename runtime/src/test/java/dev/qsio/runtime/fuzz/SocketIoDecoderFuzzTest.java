package dev.qsio.runtime.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.qsio.runtime.engine.EngineCodec;
import dev.qsio.runtime.engine.MalformedPacketException;
import dev.qsio.runtime.protocol.PacketDecoder;
import dev.qsio.runtime.protocol.ProtocolException;
import dev.qsio.runtime.protocol.ProtocolJson;
import io.vertx.core.buffer.Buffer;

/**
 * Fuzzes the Socket.IO decoder, attachments included: whatever a client sends, it answers with a packet, with
 * nothing yet (waiting for attachments) or with {@link ProtocolException} (which closes that connection), never with
 * another exception, a stack overflow or a crash. Same settings as {@link EngineDecoderFuzzTest}.
 */
class SocketIoDecoderFuzzTest {

    private static final ProtocolJson PROTOCOL = ProtocolJson.from(new ObjectMapper());

    @FuzzTest
    void socketIoPackets(FuzzedDataProvider data) {
        PacketDecoder decoder = PROTOCOL.decoder(8);
        try {
            decoder.onText(data.consumeString(4000));
            int attachments = data.consumeInt(0, 10);
            for (int i = 0; i < attachments; i++) {
                decoder.onBinary(Buffer.buffer(data.consumeBytes(64)));
            }
            if (data.consumeBoolean()) {
                decoder.onText(data.consumeRemainingAsString());
            }
        } catch (ProtocolException expected) {
            // the connection that sent it is closed
        }
    }
}
