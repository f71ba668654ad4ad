package dev.qsio.runtime.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.vertx.core.buffer.Buffer;

/**
 * A WebSocket served from its channel does what the HTTP server's WebSocket did for the engine: messages (whole,
 * reassembled, within the limit), pongs, the close handshake either way with a timeout, its end told once, and
 * every frame it reads released.
 */
class ChannelWebSocketTest {

    private final List<String> texts = new ArrayList<>();
    private final List<Buffer> binaries = new ArrayList<>();
    private final List<String> ends = new ArrayList<>();
    private final List<Short> refusals = new ArrayList<>();
    private ChannelWebSocket socket;

    private EmbeddedChannel channel(int max) {
        EmbeddedChannel channel = new EmbeddedChannel();
        WebSocketMessages messages = new WebSocketMessages((code, reason) -> socket.close(code, reason), max,
                texts::add, binaries::add, refusals::add);
        // on the channel's thread, as the connection's context is on its event loop
        socket = new ChannelWebSocket(channel, Runnable::run, messages, ends::add, () -> { });
        channel.pipeline().addLast(ChannelWebSocket.NAME, socket);
        return channel;
    }

    private static ByteBuf bytes(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.UTF_8);
    }

    @Test
    void messagesArriveWholeAndEveryFrameIsReleased() {
        EmbeddedChannel channel = channel(1000);
        TextWebSocketFrame text = new TextWebSocketFrame("4hello");
        TextWebSocketFrame first = new TextWebSocketFrame(false, 0, bytes("4wor"));
        ContinuationWebSocketFrame rest = new ContinuationWebSocketFrame(true, 0, bytes("ld é"));
        BinaryWebSocketFrame binary = new BinaryWebSocketFrame(Unpooled.wrappedBuffer(new byte[] { 1, 2, 3 }));
        channel.writeInbound(text, first, rest, binary);
        assertThat(texts).containsExactly("4hello", "4world é");
        assertThat(binaries).hasSize(1);
        assertThat(binaries.get(0).getBytes()).containsExactly(1, 2, 3);
        for (var frame : List.of(text, first, rest, binary)) {
            assertThat(frame.refCnt()).as("read frames are released").isZero();
        }
        // the binary message is the engine's own copy: still readable after its frame was released
        assertThat(binaries.get(0).getByte(2)).isEqualTo((byte) 3);
        assertThat(channel.isActive()).isTrue();
        assertThat(ends).isEmpty();
    }

    @Test
    void aPingIsAnsweredWithItsPayload() {
        EmbeddedChannel channel = channel(1000);
        channel.writeInbound(new PingWebSocketFrame(bytes("are you there")));
        PongWebSocketFrame pong = channel.readOutbound();
        assertThat(pong.content().toString(StandardCharsets.UTF_8)).isEqualTo("are you there");
        pong.release();
        channel.writeInbound(new PongWebSocketFrame(bytes("unasked")));
        assertThat((Object) channel.readOutbound()).isNull();
    }

    @Test
    void theClientsCloseIsAnsweredWithItsCodeAndTheEndToldOnce() {
        EmbeddedChannel channel = channel(1000);
        channel.writeInbound(new CloseWebSocketFrame(4001, "bye"));
        CloseWebSocketFrame answer = channel.readOutbound();
        assertThat(answer.statusCode()).isEqualTo(4001);
        answer.release();
        assertThat(channel.isActive()).isFalse();
        assertThat(ends).containsExactly("transport close");
    }

    @Test
    void aCloseWithoutACodeIsAnsweredWithoutOne() {
        EmbeddedChannel channel = channel(1000);
        channel.writeInbound(new CloseWebSocketFrame());
        CloseWebSocketFrame answer = channel.readOutbound();
        assertThat(answer.statusCode()).isEqualTo(-1);
        answer.release();
        assertThat(channel.isActive()).isFalse();
    }

    @Test
    void theServersCloseWaitsForTheClientsAnswerAtMostTheTimeout() {
        EmbeddedChannel channel = channel(1000);
        socket.close((short) 1000, null);
        CloseWebSocketFrame sent = channel.readOutbound();
        assertThat(sent.statusCode()).isEqualTo(1000);
        sent.release();
        assertThat(channel.isActive()).as("open until the client answers").isTrue();
        // messages after the server's close are not delivered
        channel.writeInbound(new TextWebSocketFrame("4after"));
        assertThat(texts).isEmpty();
        channel.writeInbound(new CloseWebSocketFrame(1000, null));
        assertThat(channel.isActive()).isFalse();
        assertThat(ends).containsExactly("transport close");

        EmbeddedChannel silent = channel(1000);
        // the channel's clock moves only when told: with real time running beside advanceTimeBy, a busy machine (a CI
        // run beside the benchmark smoke) let the timeout fire 1 ms early
        silent.freezeTime();
        socket.close((short) 1000, null);
        ((CloseWebSocketFrame) silent.readOutbound()).release();
        silent.advanceTimeBy(ChannelWebSocket.CLOSING_TIMEOUT_MS - 1, TimeUnit.MILLISECONDS);
        silent.runScheduledPendingTasks();
        assertThat(silent.isActive()).isTrue();
        silent.advanceTimeBy(1, TimeUnit.MILLISECONDS);
        silent.runScheduledPendingTasks();
        assertThat(silent.isActive()).as("closed after the timeout").isFalse();
        assertThat(ends).containsExactly("transport close", "transport close");
    }

    @Test
    void aMessageOverTheLimitClosesWith1009() {
        EmbeddedChannel channel = channel(8);
        channel.writeInbound(new TextWebSocketFrame(false, 0, bytes("4abcd")),
                new ContinuationWebSocketFrame(true, 0, bytes("efghij")));
        assertThat(texts).isEmpty();
        assertThat(refusals).containsExactly(WebSocketMessages.MESSAGE_TOO_BIG);
        CloseWebSocketFrame sent = channel.readOutbound();
        assertThat(sent.statusCode()).isEqualTo(1009);
        sent.release();
    }

    @Test
    void aTextMessageThatIsNotUtf8ClosesWith1007() {
        EmbeddedChannel channel = channel(100);
        channel.writeInbound(new TextWebSocketFrame(Unpooled.wrappedBuffer(new byte[] { '4', (byte) 0xc3 })));
        assertThat(texts).isEmpty();
        assertThat(refusals).containsExactly(WebSocketMessages.INVALID_PAYLOAD);
        CloseWebSocketFrame sent = channel.readOutbound();
        assertThat(sent.statusCode()).isEqualTo(1007);
        sent.release();
    }
}
