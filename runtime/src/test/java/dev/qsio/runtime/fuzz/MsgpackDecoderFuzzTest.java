package dev.qsio.runtime.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.qsio.runtime.protocol.PacketDecoder;
import dev.qsio.runtime.protocol.ProtocolException;
import dev.qsio.runtime.protocol.ProtocolJson;
import io.vertx.core.buffer.Buffer;

/**
 * Fuzzes the msgpack parser's decoder ({@code quarkus.socketio.parser=msgpack}): whatever binary message a client
 * sends, it answers with a packet or with {@link ProtocolException} (which closes that connection), never with another
 * exception. Same settings as {@link EngineDecoderFuzzTest}.
 */
class MsgpackDecoderFuzzTest {

    private static final ProtocolJson MSGPACK = ProtocolJson.from(new ObjectMapper(), ProtocolJson.Parser.MSGPACK);

    @FuzzTest
    void msgpackPackets(FuzzedDataProvider data) {
        PacketDecoder decoder = MSGPACK.decoder(8);
        try {
            decoder.onBinary(Buffer.buffer(data.consumeRemainingAsBytes()));
        } catch (ProtocolException expected) {
            // the connection that sent it is closed
        }
    }
}
