package dev.qsio.runtime.engine;

import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.jboss.logging.Logger;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import dev.qsio.runtime.internals.FrameworkInternals;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;

/**
 * An Engine.IO WebSocket served from its Netty channel once the upgrade is done. The HTTP server's handler of the
 * connection is replaced by this one, so that its connection object, its WebSocket object, the upgrade request and
 * its headers are let go: with the handshake's headers kept as one string ({@link HandshakeMaps}), an idle connection
 * went from 5.5 to 3.7 KB of live heap.
 * <p>
 * What the HTTP server's WebSocket did for the engine is done here: data frames go to the engine's
 * {@link WebSocketMessages} (limits, UTF-8, fragments), a ping is answered with a pong, a close frame is answered and
 * the connection closed, a close from the server waits for the client's answer at most {@link #CLOSING_TIMEOUT_MS}.
 * The codec, compression and reserved-bits handlers stay in the pipeline, in front of this one.
 * <p>
 * Where the HTTP server reports to metrics (Micrometer's HTTP binder, for one), the end of the WebSocket and of the
 * connection are reported from here, as the server would have; the bytes read and written after the upgrade are not.
 * A WebSocket relayed to or adopted from another server stays with the HTTP server's WebSocket, which holds its
 * frames while paused.
 */
final class ChannelWebSocket extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = Logger.getLogger(ChannelWebSocket.class);
    static final String NAME = "qsio-websocket";
    /** How long a close from the server waits for the client's close frame before closing the connection. */
    static final long CLOSING_TIMEOUT_MS = 10_000;

    private final Channel channel;
    /**
     * The Vert.x context the HTTP server's WebSocket delivered on (the upgrade request's): frames and the end are
     * handed to the engine on it, as before, so that the code they reach sees the same current context (which decides,
     * for one, whether a socket's handlers run at once or are queued on its connection's context).
     */
    private final Consumer<Runnable> onContext;
    private final WebSocketMessages messages;
    /** Told once, with "transport close" or "transport error", when the connection has ended. */
    private final Consumer<String> closed;
    /** Told when the connection can take more again (its queue went under the low-water mark). */
    private final Runnable writable;
    private boolean closeSent;
    private boolean ended;
    private ScheduledFuture<?> closing;

    ChannelWebSocket(Channel channel, Consumer<Runnable> onContext, WebSocketMessages messages, Consumer<String> closed,
            Runnable writable) {
        this.channel = channel;
        this.onContext = onContext;
        this.messages = messages;
        this.closed = closed;
        this.writable = writable;
    }

    /**
     * Takes the connection under {@code ws} from the HTTP server, its messages going to {@code messages}; null (and
     * nothing changed) where it cannot: off the connection's event loop, a connection whose handler is not the HTTP
     * server's, or metrics whose end it cannot report.
     */
    static ChannelWebSocket detach(ServerWebSocket ws, WebSocketMessages messages, Consumer<String> closed,
            Runnable writable) {
        Channel channel = WebSocketChannels.channelOf(ws);
        if (channel == null || !channel.eventLoop().inEventLoop() || !channel.isActive()) {
            return null;
        }
        ChannelPipeline pipeline = channel.pipeline();
        FrameworkInternals.HttpServerConnection server = FrameworkInternals.httpServerConnection(ws, pipeline);
        if (server == null) {
            return null;
        }
        Runnable reportEnd = server.reportEnd();
        // the context's event loop is the connection's (the upgrade request was read on it): emitted at once
        Consumer<String> end = reportEnd == null ? closed : reason -> {
            try {
                reportEnd.run();
            } catch (RuntimeException e) {
                LOG.debugf(e, "reporting the end of a WebSocket to the HTTP server's metrics failed");
            }
            closed.accept(reason);
        };
        ChannelWebSocket raw = new ChannelWebSocket(channel, server.onContext(), messages, end, writable);
        pipeline.replace(server.handler().name(), NAME, raw);
        WebSocketMessages.adjustPipeline(pipeline);
        return raw;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof WebSocketFrame frame)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        try {
            if (frame instanceof TextWebSocketFrame || frame instanceof BinaryWebSocketFrame
                    || frame instanceof ContinuationWebSocketFrame) {
                if (!closeSent) {
                    boolean text = frame instanceof TextWebSocketFrame;
                    boolean continuation = frame instanceof ContinuationWebSocketFrame;
                    boolean fin = frame.isFinalFragment();
                    Buffer data = copy(frame.content());
                    onContext.accept(() -> messages.onFrame(text, continuation, fin, data));
                }
            } else if (frame instanceof PingWebSocketFrame) {
                if (!closeSent) {
                    ctx.writeAndFlush(new PongWebSocketFrame(frame.content().retain()), ctx.voidPromise());
                }
            } else if (frame instanceof CloseWebSocketFrame close) {
                onClose(ctx, close);
            }
            // a pong answers nothing the engine asked
        } finally {
            frame.release();
        }
    }

    /** The client's close frame: answered (unless it answers ours), then the connection is closed. */
    private void onClose(ChannelHandlerContext ctx, CloseWebSocketFrame close) {
        if (closeSent) {
            ctx.close();
            return;
        }
        closeSent = true;
        int code = close.statusCode();
        CloseWebSocketFrame answer = code < 0 ? new CloseWebSocketFrame() : new CloseWebSocketFrame(code, null);
        ctx.writeAndFlush(answer).addListener(ChannelFutureListener.CLOSE);
    }

    /** The bytes of a data frame, the engine's own (a binary message may be kept by the application). */
    private static Buffer copy(ByteBuf content) {
        ByteBuf heap = Unpooled.buffer(content.readableBytes(), content.readableBytes());
        heap.writeBytes(content, content.readerIndex(), content.readableBytes());
        return Buffer.buffer(heap);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (channel.isWritable()) {
            writable.run();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        end("transport close");
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debugf("WebSocket %s failed: %s", channel.remoteAddress(), cause.getMessage());
        end("transport error");
        ctx.close();
    }

    private void end(String reason) {
        if (closing != null) {
            closing.cancel(false);
            closing = null;
        }
        if (!ended) {
            ended = true;
            onContext.accept(() -> closed.accept(reason));
        }
    }

    /** Writes a frame toward the client (from any thread: Netty queues a write from elsewhere on the loop). */
    void write(WebSocketFrame frame) {
        channel.writeAndFlush(frame, channel.voidPromise());
    }

    /** Whether the connection's outbound queue is over its high-water mark (a slow client). */
    boolean congested() {
        return !channel.isWritable();
    }

    /** Closes with a close frame of this code; the connection ends when the client answers, or after a timeout. */
    void close(short code, String reason) {
        if (channel.eventLoop().inEventLoop()) {
            closeNow(code, reason);
        } else {
            channel.eventLoop().execute(() -> closeNow(code, reason));
        }
    }

    private void closeNow(short code, String reason) {
        if (closeSent || ended) {
            return;
        }
        closeSent = true;
        channel.writeAndFlush(new CloseWebSocketFrame(code, reason), channel.voidPromise());
        closing = channel.eventLoop().schedule(() -> {
            closing = null;
            channel.close();
        }, CLOSING_TIMEOUT_MS, TimeUnit.MILLISECONDS);
    }
}
