package dev.qsio.runtime.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.Map;
import java.util.zip.Deflater;

import org.junit.jupiter.api.Test;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtension;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtensionData;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketServerExtension;

/**
 * permessage-deflate inflates a client's message only up to the largest message the server lets through: a frame of
 * a few kilobytes that inflates a thousandfold is refused (the connection closes) before the inflated bytes are held.
 */
class CompressionLimitTest {

    private static final int MAX = 64 * 1024;

    private static EmbeddedChannel decoder() {
        WebSocketServerExtension extension = new Compression(true, 1024, false, 1024, MAX).handshaker()
                .handshakeExtension(new WebSocketExtensionData("permessage-deflate", Map.of()));
        return new EmbeddedChannel(extension.newExtensionDecoder());
    }

    /** A message compressed as a permessage-deflate client sends it (raw deflate, the final empty block cut off). */
    private static BinaryWebSocketFrame compressed(byte[] message) {
        Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
        deflater.setInput(message);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] chunk = new byte[8192];
        int n;
        while ((n = deflater.deflate(chunk, 0, chunk.length, Deflater.SYNC_FLUSH)) > 0) {
            out.write(chunk, 0, n);
        }
        deflater.end();
        byte[] bytes = out.toByteArray();
        return new BinaryWebSocketFrame(true, WebSocketExtension.RSV1,
                Unpooled.wrappedBuffer(Arrays.copyOf(bytes, bytes.length - 4)));
    }

    @Test
    void aMessageWithinTheLimitIsInflated() {
        EmbeddedChannel channel = decoder();
        channel.writeInbound(compressed(new byte[MAX / 2]));
        BinaryWebSocketFrame inflated = channel.readInbound();
        ByteBuf content = inflated.content();
        assertThat(content.readableBytes()).isEqualTo(MAX / 2);
        inflated.release();
        channel.finishAndReleaseAll();
    }

    @Test
    void aSmallFrameThatInflatesPastTheLimitIsRefused() {
        BinaryWebSocketFrame bomb = compressed(new byte[16 * 1024 * 1024]);
        assertThat(bomb.content().readableBytes()).as("the frame on the wire").isLessThan(32 * 1024);
        EmbeddedChannel channel = decoder();
        assertThatThrownBy(() -> channel.writeInbound(bomb)).hasStackTraceContaining("maximum size");
        channel.finishAndReleaseAll();
    }
}
