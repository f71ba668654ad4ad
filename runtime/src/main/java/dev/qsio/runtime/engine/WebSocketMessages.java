package dev.qsio.runtime.engine;

import java.util.function.BiConsumer;
import java.util.function.Consumer;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.timeout.IdleStateHandler;
import dev.qsio.runtime.internals.FrameworkInternals;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrame;

/**
 * Reads whole messages from a WebSocket, frame by frame, in place of Vert.x's own aggregation: a message over
 * {@code maxHttpBufferSize} closes the WebSocket with 1009 as soon as its frames pass the limit, and a text message
 * that is not UTF-8 closes it with 1007 (RFC 6455, 8.1) instead of reaching the application with U+FFFD in it.
 * Control frames are the WebSocket's to answer (Vert.x's, or {@link ChannelWebSocket}'s once the connection is
 * detached).
 */
public final class WebSocketMessages implements Handler<WebSocketFrame> {

    static final short MESSAGE_TOO_BIG = 1009;
    static final short INVALID_PAYLOAD = 1007;

    /** Closes the WebSocket with a code and a reason. */
    private final BiConsumer<Short, String> closer;
    private final int max;
    private final Consumer<String> text;
    private final Consumer<Buffer> binary;
    /** Told the close code after the WebSocket was closed for a message it refused. */
    private final Consumer<Short> refused;
    /** The fragments of the message being received, or null between messages. */
    private Buffer pending;
    private boolean pendingText;
    private boolean done;

    WebSocketMessages(BiConsumer<Short, String> closer, int max, Consumer<String> text, Consumer<Buffer> binary,
            Consumer<Short> refused) {
        this.closer = closer;
        this.max = max;
        this.text = text;
        this.binary = binary;
        this.refused = refused;
    }

    /** Sends the WebSocket's messages to these from now on, replacing any message handler it had. */
    public static void read(ServerWebSocket ws, int max, Consumer<String> text, Consumer<Buffer> binary,
            Consumer<Short> refused) {
        read(ws, new WebSocketMessages(ws::close, max, text, binary, refused));
    }

    /** Sends the WebSocket's messages to {@code messages} from now on, replacing any message handler it had. */
    static void read(ServerWebSocket ws, WebSocketMessages messages) {
        ws.textMessageHandler(null);
        ws.binaryMessageHandler(null);
        ws.frameHandler(messages);
        Channel channel = WebSocketChannels.channelOf(ws);
        if (channel != null) {
            channel.eventLoop().execute(() -> adjustPipeline(channel.pipeline()));
        }
    }

    static final short PROTOCOL_ERROR = 1002;
    private static final String RSV_CHECK = "qsio-rsv-check";

    /**
     * Fits the upgraded connection's pipeline to Engine.IO. It closes with 1002 a connection whose client sets
     * reserved bits that no negotiated extension uses (RFC 6455 5.2): the HTTP server offers permessage-deflate, so
     * its frame decoder lets RSV bits through on every connection; a negotiated extension's decoder clears the bits it
     * uses, so a check behind all the decoders sees only the others. And it removes the HTTP server's idle-state
     * handler ({@code quarkus.http.idle-timeout}): the Engine.IO heartbeat watches the connection (a silent client is
     * closed after ping-interval plus ping-timeout), and the handler and its timer cost each connection 260 bytes.
     */
    static void adjustPipeline(ChannelPipeline pipeline) {
        ChannelHandlerContext reader = FrameworkInternals.connectionHandler(pipeline);
        if (reader == null) {
            reader = pipeline.context(ChannelWebSocket.class);
        }
        if (reader != null && pipeline.get(RSV_CHECK) == null) {
            pipeline.addBefore(reader.name(), RSV_CHECK, new ReservedBits());
        }
        if (pipeline.get(IdleStateHandler.class) != null) {
            pipeline.remove(IdleStateHandler.class);
        }
    }

    private static final class ReservedBits extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof io.netty.handler.codec.http.websocketx.WebSocketFrame frame && frame.rsv() != 0) {
                frame.release();
                ctx.writeAndFlush(new CloseWebSocketFrame(PROTOCOL_ERROR, "Reserved bits set without an extension"))
                        .addListener(ChannelFutureListener.CLOSE);
                return;
            }
            ctx.fireChannelRead(msg);
        }
    }

    @Override
    public void handle(WebSocketFrame frame) {
        if (frame.isText() || frame.isBinary() || frame.isContinuation()) {
            onFrame(frame.isText(), frame.isContinuation(), frame.isFinal(), frame.binaryData());
        }
        // ping, pong and close are Vert.x's
    }

    /**
     * A data frame: text or binary (the start of a message) or a continuation; {@code data} may be kept (binary
     * messages reach the application as they are), so it must be the receiver's own bytes.
     */
    void onFrame(boolean isTextFrame, boolean continuation, boolean fin, Buffer frameData) {
        if (done) {
            return;
        }
        Buffer data;
        boolean isText;
        if (!continuation) {
            data = frameData;
            isText = isTextFrame;
        } else if (pending != null) {
            data = pending.appendBuffer(frameData);
            isText = pendingText;
        } else {
            // Netty refuses a continuation outside a message
            return;
        }
        if (data.length() > max) {
            refuse(MESSAGE_TOO_BIG, "Message too big");
            return;
        }
        if (!fin) {
            if (pending == null) {
                // the frame's buffer is the receiver's: copied once, then appended to
                pending = Buffer.buffer(Math.min(max, data.length() * 2)).appendBuffer(data);
                pendingText = isText;
            }
            return;
        }
        pending = null;
        if (!isText) {
            binary.accept(data);
            return;
        }
        String message;
        try {
            message = EngineCodec.text(data);
        } catch (MalformedPacketException e) {
            refuse(INVALID_PAYLOAD, "Invalid UTF-8");
            return;
        }
        text.accept(message);
    }

    private void refuse(short code, String reason) {
        done = true;
        pending = null;
        closer.accept(code, reason);
        refused.accept(code);
    }
}
