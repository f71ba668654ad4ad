package dev.qsio.runtime.engine;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.Set;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;

import dev.qsio.runtime.internals.FrameworkInternals;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.compression.ZlibCodecFactory;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtensionData;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtensionFilter;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtensionFilterProvider;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtensionUtil;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketServerExtension;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketServerExtensionHandler;
import io.netty.handler.codec.http.websocketx.extensions.compression.PerMessageDeflateServerExtensionHandshaker;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;

/**
 * What the engine compresses, as Node's {@code perMessageDeflate} and {@code httpCompression} options: WebSocket
 * messages of at least {@code deflateThreshold} bytes when the client and the server agreed on permessage-deflate,
 * and polling responses of at least {@code httpThreshold} bytes with gzip or deflate. A packet sent with
 * {@code compress(false)} is never compressed; a polling response is when any of its packets may be, as in Node.
 *
 * @param perMessageDeflate whether a client's offer of permessage-deflate is accepted
 * @param deflateThreshold the smallest WebSocket message compressed
 * @param http whether polling responses are compressed
 * @param httpThreshold the smallest polling response compressed
 * @param maxInflated the most bytes one compressed WebSocket message may inflate to: past it the connection is closed
 *        before more is allocated (a small frame can inflate a thousandfold)
 */
public record Compression(boolean perMessageDeflate, int deflateThreshold, boolean http, int httpThreshold,
        int maxInflated) {

    /**
     * Accepts a WebSocket upgrade, deciding permessage-deflate for it: the HTTP server's own negotiation (when the
     * application enabled WebSocket compression for all its WebSockets) is taken out, and with
     * {@code per-message-deflate.enabled} a client's offer is answered on the handshake's response.
     */
    public Future<ServerWebSocket> accept(HttpServerRequest request) {
        Channel channel = FrameworkInternals.channel(request.connection());
        if (channel != null) {
            ChannelPipeline pipeline = channel.pipeline();
            if (pipeline.get(WebSocketServerExtensionHandler.class) != null) {
                pipeline.remove(WebSocketServerExtensionHandler.class);
            }
            String offer = request.getHeader(HttpHeaderNames.SEC_WEBSOCKET_EXTENSIONS);
            if (perMessageDeflate && offer != null && pipeline.get(VERTX_HANDLER) != null
                    && pipeline.get(Negotiation.NAME) == null) {
                pipeline.addBefore(VERTX_HANDLER, Negotiation.NAME, new Negotiation(offer, handshaker()));
            }
        }
        return request.toWebSocket();
    }

    /** The name Vert.x gives the last handler of an HTTP connection's pipeline. */
    private static final String VERTX_HANDLER = "handler";

    /** Netty's permessage-deflate (zlib level 6), skipping messages below the threshold. */
    PerMessageDeflateServerExtensionHandshaker handshaker() {
        WebSocketExtensionFilter small = frame -> frame.content().readableBytes() < deflateThreshold;
        WebSocketExtensionFilterProvider filters = new WebSocketExtensionFilterProvider() {
            @Override
            public WebSocketExtensionFilter encoderFilter() {
                return small;
            }

            @Override
            public WebSocketExtensionFilter decoderFilter() {
                return WebSocketExtensionFilter.NEVER_SKIP;
            }
        };
        return new PerMessageDeflateServerExtensionHandshaker(6, ZlibCodecFactory.isSupportingWindowSizeAndMemLevel(),
                PerMessageDeflateServerExtensionHandshaker.MAX_WINDOW_SIZE, false, false, filters, maxInflated);
    }

    /**
     * Answers a client's offer of permessage-deflate on the handshake's response (101), and puts the extension's
     * encoder and decoder in the pipeline, as Netty's extension handler does; then leaves.
     */
    private static final class Negotiation extends ChannelOutboundHandlerAdapter {

        static final String NAME = "qsio-deflate-negotiation";
        private final String offer;
        private final PerMessageDeflateServerExtensionHandshaker handshaker;

        Negotiation(String offer, PerMessageDeflateServerExtensionHandshaker handshaker) {
            this.offer = offer;
            this.handshaker = handshaker;
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
            if (!(msg instanceof HttpResponse response)) {
                ctx.write(msg, promise);
                return;
            }
            WebSocketServerExtension extension = null;
            if (response.status().code() == 101) {
                for (WebSocketExtensionData data : WebSocketExtensionUtil.extractExtensions(offer)) {
                    extension = handshaker.handshakeExtension(data);
                    if (extension != null) {
                        break;
                    }
                }
            }
            if (extension != null) {
                response.headers().set(HttpHeaderNames.SEC_WEBSOCKET_EXTENSIONS, header(extension.newReponseData()));
                // after this handler, toward the application: frames the application writes are compressed, frames
                // the client sends are inflated before anything reads them
                ctx.pipeline().addAfter(NAME, "qsio-deflate-decoder", extension.newExtensionDecoder());
                ctx.pipeline().addAfter(NAME, "qsio-deflate-encoder", extension.newExtensionEncoder());
            }
            ctx.write(msg, promise);
            ctx.pipeline().remove(this);
        }

        private static String header(WebSocketExtensionData data) {
            StringBuilder sb = new StringBuilder(data.name());
            data.parameters().forEach((k, v) -> {
                sb.append("; ").append(k);
                if (v != null) {
                    sb.append('=').append(v);
                }
            });
            return sb.toString();
        }
    }

    /** Whether a WebSocket message of this many bytes is compressed where permessage-deflate was agreed on. */
    boolean deflates(EnginePacket packet, int bytes) {
        return packet.compress() && bytes >= deflateThreshold;
    }

    /** A polling response body, compressed as the request allows when it is worth it; the encoding or null. */
    record Body(Buffer bytes, String encoding) {
    }

    Body pollingBody(Buffer plain, String acceptEncoding, boolean compress) {
        if (!http || !compress || plain.length() < httpThreshold || acceptEncoding == null) {
            return new Body(plain, null);
        }
        String accepted = acceptEncoding.toLowerCase(Locale.ROOT);
        String encoding = accepts(accepted, "gzip") ? "gzip" : accepts(accepted, "deflate") ? "deflate" : null;
        if (encoding == null) {
            return new Body(plain, null);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(plain.length() / 2 + 64);
        try (DeflaterOutputStream z = "gzip".equals(encoding) ? new GZIPOutputStream(out) : new DeflaterOutputStream(out)) {
            z.write(plain.getBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Body(Buffer.buffer(out.toByteArray()), encoding);
    }

    /** Whether an Accept-Encoding value (lower case) names an encoding without refusing it ({@code ;q=0}). */
    private static boolean accepts(String acceptEncoding, String encoding) {
        for (String part : acceptEncoding.split(",")) {
            String[] p = part.trim().split(";");
            if (p[0].trim().equals(encoding)) {
                for (int i = 1; i < p.length; i++) {
                    String param = p[i].trim();
                    if (param.startsWith("q=")) {
                        try {
                            return Double.parseDouble(param.substring(2)) > 0;
                        } catch (NumberFormatException e) {
                            return false;
                        }
                    }
                }
                return true;
            }
        }
        return false;
    }
}
