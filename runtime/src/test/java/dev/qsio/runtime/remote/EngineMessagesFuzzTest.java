package dev.qsio.runtime.remote;

import java.io.IOException;

import org.msgpack.core.MessagePackException;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

import io.vertx.core.buffer.Buffer;

/**
 * Fuzzes the engine wire's reader (messages between servers' engines, read from Redis or PostgreSQL): whatever
 * bytes arrive, reading them as a message, then its fields in any order, answers values or {@link IOException} or
 * msgpack-core's {@link MessagePackException} (both drop that message), never another exception or an allocation
 * the bytes do not carry. See {@code dev.qsio.runtime.fuzz.EngineDecoderFuzzTest} for how the build runs it.
 */
class EngineMessagesFuzzTest {

    @FuzzTest
    void engineMessages(FuzzedDataProvider data) {
        int[] reads = data.consumeInts(8);
        byte[] message = data.consumeRemainingAsBytes();
        try {
            EngineMessages.Reader r = new EngineMessages.Reader(Buffer.buffer(message));
            for (int read : reads) {
                if (!r.more()) {
                    break;
                }
                switch (Math.floorMod(read, 5)) {
                    case 0 -> r.num();
                    case 1 -> r.str();
                    case 2 -> r.bool();
                    case 3 -> r.packets();
                    default -> r.identity();
                }
            }
        } catch (IOException | MessagePackException expected) {
            // that message is dropped
        }
    }
}
