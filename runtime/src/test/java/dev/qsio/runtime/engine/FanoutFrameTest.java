package dev.qsio.runtime.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.vertx.core.buffer.Buffer;

/**
 * The frame a broadcast shares is what a WebSocket client decodes: read back with Netty's own client-side decoder, for
 * every length encoding (7-bit, 16-bit, 64-bit) and both frame types.
 */
class FanoutFrameTest {

    static EmbeddedChannel clientDecoder() {
        return new EmbeddedChannel(new WebSocket13FrameDecoder(WebSocketDecoderConfig.newBuilder().expectMaskedFrames(false)
                .maxFramePayloadLength(1 << 20).build()));
    }

    @ParameterizedTest
    @ValueSource(ints = { 0, 1, 124, 125, 126, 65_534, 65_535, 65_536, 200_000 })
    void textFrames(int length) {
        String text = "x".repeat(length);
        ByteBuf frame = Fanout.encode(EnginePacket.message(text), EnginePacket.message(text).frame());
        EmbeddedChannel client = clientDecoder();
        client.writeInbound(frame);
        TextWebSocketFrame decoded = client.readInbound();
        assertThat(decoded.isFinalFragment()).isTrue();
        assertThat(decoded.rsv()).isZero();
        assertThat(decoded.text()).isEqualTo("4" + text);
        decoded.release();
        assertThat(client.finish()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(ints = { 0, 3, 126, 70_000 })
    void binaryFrames(int length) {
        byte[] data = new byte[length];
        for (int i = 0; i < length; i++) {
            data[i] = (byte) i;
        }
        ByteBuf frame = Fanout.encode(EnginePacket.message(Buffer.buffer(data)), Buffer.buffer(data));
        EmbeddedChannel client = clientDecoder();
        client.writeInbound(frame);
        BinaryWebSocketFrame decoded = client.readInbound();
        byte[] got = new byte[decoded.content().readableBytes()];
        decoded.content().readBytes(got);
        assertThat(got).isEqualTo(data);
        decoded.release();
    }

    @ParameterizedTest
    @ValueSource(strings = { "caf\u00e9", "\u20ac\ud83d\ude00" })
    void textIsUtf8(String text) {
        ByteBuf frame = Fanout.encode(EnginePacket.message(text), EnginePacket.message(text).frame());
        assertThat(frame.getByte(1)).isEqualTo((byte) (1 + text.getBytes(StandardCharsets.UTF_8).length));
        frame.release();
    }
}
