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
 * Fuzzes the Engine.IO decoder: whatever a client sends, it answers with packets or with
 * {@link MalformedPacketException} (which closes that session), never with another exception or a crash.
 * <p>
 * The build replays the inputs in {@code src/test/resources/dev/qsio/runtime/fuzz/EngineDecoderFuzzTestInputs}, then
 * makes {@code fuzz.executions} more from the fixed {@code fuzz.seed}: the same inputs in every build (see the runtime
 * POM). {@code bin/fuzz} fuzzes at random for longer; a crash it finds is kept there as a regression test.
 */
class EngineDecoderFuzzTest {

    @FuzzTest
    void enginePayloads(FuzzedDataProvider data) {
        String payload = data.consumeRemainingAsString();
        try {
            EngineCodec.decodePayload(payload);
        } catch (MalformedPacketException expected) {
            // the session that sent it is closed
        }
        try {
            EngineCodec.decode(payload);
        } catch (MalformedPacketException expected) {
            // idem
        }
    }
}
