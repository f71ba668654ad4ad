package dev.qsio.runtime.engine;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

import io.vertx.core.buffer.Buffer;

/**
 * Fuzzes the Engine.IO revision 3 decoders (text and binary payloads, binary frames, JSONP forms): whatever a 2.x
 * client sends, the answer is packets or {@link MalformedPacketException} (which closes that session), never another
 * exception, a hang or a crash. In this package because the codec is the engine's own; see
 * {@code dev.qsio.runtime.fuzz.EngineDecoderFuzzTest} for how the build runs it.
 */
class Eio3DecoderFuzzTest {

    @FuzzTest
    void revision3Payloads(FuzzedDataProvider data) {
        byte[] bytes = data.consumeRemainingAsBytes();
        Buffer body = Buffer.buffer(bytes);
        try {
            Eio3Codec.decodeBinaryPayload(body);
        } catch (MalformedPacketException expected) {
            // the session that sent it is closed
        }
        try {
            Eio3Codec.decodePayload(body, false);
        } catch (MalformedPacketException expected) {
            // idem
        }
        try {
            Eio3Codec.decodeFrame(body);
        } catch (MalformedPacketException expected) {
            // idem
        }
        try {
            Eio3Codec.decodeTextPayload(Jsonp.payload(body));
        } catch (MalformedPacketException expected) {
            // idem
        }
    }
}
