package dev.qsio.runtime.engine;

import org.jboss.logging.Logger;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import dev.qsio.runtime.internals.FrameworkInternals;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrame;

/**
 * The connection under a WebSocket, as the engine reads and ends it: the same for the WebSockets of its own sessions
 * ({@link WebSocketTransport}) and for those a server relays for another ({@code remote}).
 */
public final class WebSocketChannels {

    /** Logs as the WebSocket transport: one category for what befalls a WebSocket. */
    private static final Logger LOG = Logger.getLogger(WebSocketTransport.class);
    private static volatile boolean warnedNoChannel;

    private WebSocketChannels() {
    }

    /**
     * The connection under a WebSocket, to read how much is queued for its client. Null (with a warning, once) where
     * it cannot be seen: the session's buffer bound then covers polling only.
     */
    public static Channel channelOf(ServerWebSocket ws) {
        Channel channel = FrameworkInternals.channel(ws);
        if (channel != null) {
            return channel;
        }
        if (!warnedNoChannel) {
            warnedNoChannel = true;
            LOG.warnf("Cannot see the connection under a %s: max-buffered-bytes is not enforced on WebSockets",
                    ws.getClass().getName());
        }
        return null;
    }

    /**
     * What Netty holds for the client of a connection: nothing while the channel is writable (under its high-water
     * mark, tens of kilobytes) or unknown (null), otherwise every byte queued and not yet taken by the socket.
     */
    public static long backlog(Channel channel) {
        if (channel == null || channel.isWritable()) {
            return 0;
        }
        return FrameworkInternals.pendingWriteBytes(channel);
    }

    /**
     * Ends a connection whose client does not read. No close frame: it would wait behind what the client does not
     * read. An abortive close (a reset, as SO_LINGER 0 makes it) frees what the kernel still holds for the client
     * too, and tells the client at once; a graceful close would leave the data and the FIN queued behind a window
     * the client keeps shut.
     */
    public static void abort(Channel channel) {
        try {
            channel.config().setOption(ChannelOption.SO_LINGER, 0);
        } catch (RuntimeException e) {
            LOG.debugf("cannot set SO_LINGER on %s: %s", channel, e.getMessage());
        }
        // straight to the transport: the HTTP server's handlers would first wait for the queued writes to drain
        channel.eventLoop().execute(() -> FrameworkInternals.closeBelowPipeline(channel));
    }

    /**
     * A packet's frame over its shared body: wrapped, not copied, so that each frame reads its own view of the same
     * bytes and a broadcast encodes its packet once for every recipient.
     */
    public static WebSocketFrame frame(EnginePacket packet, Buffer body) {
        return FrameworkInternals.frame(packet.isBinary(), body.getByteBuf());
    }
}
