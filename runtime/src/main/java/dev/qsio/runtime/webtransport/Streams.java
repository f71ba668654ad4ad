package dev.qsio.runtime.webtransport;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.jboss.logging.Logger;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.incubator.codec.quic.QuicChannel;
import io.netty.incubator.codec.quic.QuicStreamChannel;
import io.netty.incubator.codec.quic.QuicStreamType;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.MultiMap;

/**
 * The bidirectional streams of a connection, which Netty's HTTP/3 codec would read as requests: each is first read
 * here ({@link Sniffer}). A stream that starts with a HEADERS frame is a request: a CONNECT with
 * {@code :protocol=webtransport} opens a session, anything else is answered 404 (this server serves WebTransport only).
 * A stream that starts with WEBTRANSPORT_STREAM (0x41) and a session's id belongs to that session, which takes it.
 * Either way the codec's handlers leave the stream.
 */
final class Streams {

    private static final Logger LOG = Logger.getLogger(Streams.class);

    /** The frame type of HEADERS (RFC 9114). */
    static final long HEADERS = 0x01;
    /** The signal that opens a WebTransport bidirectional stream. */
    static final long WEBTRANSPORT_STREAM = 0x41;
    /** H3_MESSAGE_ERROR: a malformed request. */
    static final int MESSAGE_ERROR = 0x10e;
    /** WEBTRANSPORT_BUFFERED_STREAM_REJECTED: a stream for no session. */
    static final int STREAM_REJECTED = 0x3994bd84;

    private Streams() {
    }

    /** The sessions of one QUIC connection, by the id of their CONNECT stream; on the connection's pipeline. */
    static final class Router extends ChannelInboundHandlerAdapter {
        private final WebTransportServer.Acceptor acceptor;
        private final int maxHeaderBytes;
        private final Map<Long, WebTransportSession> sessions = new java.util.HashMap<>(2);

        Router(WebTransportServer.Acceptor acceptor, int maxHeaderBytes) {
            this.acceptor = acceptor;
            this.maxHeaderBytes = maxHeaderBytes;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            LOG.debugf("a QUIC connection from %s established", ((QuicChannel) ctx.channel()).remoteSocketAddress());
            ctx.fireChannelActive();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof QuicStreamChannel stream && stream.type() == QuicStreamType.BIDIRECTIONAL) {
                LOG.debugf("stream %d opened by %s", stream.streamId(), ((QuicChannel) ctx.channel()).remoteSocketAddress());
                stream.pipeline().addFirst(new Sniffer(this, (QuicChannel) ctx.channel()));
            }
            ctx.fireChannelRead(msg);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            for (WebTransportSession s : List.copyOf(sessions.values())) {
                s.ended();
            }
            sessions.clear();
            ctx.fireChannelInactive();
        }
    }

    /** Reads the start of a bidirectional stream, then leaves it to its session or to the CONNECT's reader. */
    static final class Sniffer extends ByteToMessageDecoder {
        private final Router router;
        private final QuicChannel connection;

        Sniffer(Router router, QuicChannel connection) {
            this.router = router;
            this.connection = connection;
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
            QuicStreamChannel stream = (QuicStreamChannel) ctx.channel();
            int start = in.readerIndex();
            long type = Varint.read(in);
            // the session's id after WEBTRANSPORT_STREAM, the frame's length after HEADERS
            long second = type < 0 ? -1 : Varint.read(in);
            if (second < 0) {
                in.readerIndex(start);
                return;
            }
            if (type == WEBTRANSPORT_STREAM) {
                WebTransportSession session = router.sessions.get(second);
                if (session == null) {
                    LOG.debugf("a stream for no session (%d) on %s", second, connection);
                    drop(stream, in, STREAM_REJECTED);
                    return;
                }
                LOG.debugf("stream %d of %s given to its session", stream.streamId(), connection.remoteSocketAddress());
                leaveCodec(ctx);
                session.stream(stream);
                // the decoder hands what it holds of the stream to the session's handlers as it leaves
                ctx.pipeline().remove(this);
            } else if (type == HEADERS) {
                if (second > router.maxHeaderBytes) {
                    LOG.debugf("a request's fields of %d bytes refused on %s", second, connection);
                    drop(stream, in, MESSAGE_ERROR);
                } else if (in.readableBytes() < second) {
                    in.readerIndex(start);
                } else {
                    request(ctx, stream, in, (int) second);
                }
            } else {
                LOG.debugf("a request stream starting with frame type %d refused on %s", type, connection);
                drop(stream, in, MESSAGE_ERROR);
            }
        }

        /** A request: a CONNECT opens a session; the stream then carries its capsules, which are read and let go. */
        private void request(ChannelHandlerContext ctx, QuicStreamChannel stream, ByteBuf in, int length) {
            MultiMap headers = MultiMap.caseInsensitiveMultiMap();
            String[] pseudo = new String[4];
            try {
                Qpack.decode(stream.streamId(), in, length, (name, value) -> {
                    String n = name.toString();
                    switch (n) {
                        case ":method" -> pseudo[0] = value.toString();
                        case ":protocol" -> pseudo[1] = value.toString();
                        case ":path" -> pseudo[2] = value.toString();
                        case ":authority" -> pseudo[3] = value.toString();
                        default -> {
                            if (!n.startsWith(":")) {
                                headers.add(n, value.toString());
                            }
                        }
                    }
                });
            } catch (Qpack.MalformedFields e) {
                LOG.debugf("a request refused on %s: %s", connection, e.getMessage());
                drop(stream, in, MESSAGE_ERROR);
                return;
            }
            leaveCodec(ctx);
            // what follows on the stream (capsules of the session, or a request's body) is read and let go
            Capsules capsules = new Capsules();
            ctx.pipeline().replace(this, "capsules", capsules);
            if (!"CONNECT".equals(pseudo[0]) || !"webtransport".equals(pseudo[1]) || pseudo[2] == null) {
                answer(stream, 404, true);
                return;
            }
            WebTransportSession session = new WebTransportSession(connection, stream, pseudo[2], pseudo[3], headers);
            int status;
            try {
                status = router.acceptor.accept(session);
            } catch (RuntimeException e) {
                LOG.errorf(e, "WebTransport session refused: its acceptor failed");
                status = 500;
            }
            LOG.debugf("a CONNECT to %s from %s answered %d", pseudo[2], connection.remoteSocketAddress(), status);
            if (status != 200) {
                answer(stream, status, true);
                return;
            }
            router.sessions.put(stream.streamId(), session);
            capsules.session = session;
            stream.closeFuture().addListener(f -> {
                router.sessions.remove(stream.streamId());
                session.connectClosed();
            });
            answer(stream, 200, false);
        }

        /** The codec's handlers leave the stream: it is read here from now on. */
        private void leaveCodec(ChannelHandlerContext ctx) {
            List<String> others = new ArrayList<>();
            for (Map.Entry<String, ChannelHandler> e : ctx.pipeline().toMap().entrySet()) {
                if (e.getValue() != this) {
                    others.add(e.getKey());
                }
            }
            for (String name : others) {
                ctx.pipeline().remove(name);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            LOG.debugf("a stream of %s failed before it was read: %s", connection, cause.getMessage());
            ctx.close();
        }

        private static void answer(QuicStreamChannel stream, int status, boolean last) {
            byte[] fields = Qpack.status(status);
            ByteBuf frame = stream.alloc().buffer(fields.length + 4);
            Varint.write(frame, HEADERS);
            Varint.write(frame, fields.length);
            frame.writeBytes(fields);
            if (last) {
                stream.writeAndFlush(frame).addListener(QuicStreamChannel.SHUTDOWN_OUTPUT);
            } else {
                stream.writeAndFlush(frame);
            }
        }

        private static void drop(QuicStreamChannel stream, ByteBuf in, int code) {
            in.skipBytes(in.readableBytes());
            stream.shutdown(code);
            stream.close();
        }
    }

    /**
     * Reads what comes on a CONNECT stream after its request: once the stream carries a session, its capsules
     * ({@link CapsuleReader}); on a stream whose request was refused, what comes is let go. The end of the client's side
     * of the stream (a FIN, after a CLOSE capsule or alone) ends the session; a malformed capsule, or bytes after a
     * CLOSE, reset the stream with H3_MESSAGE_ERROR and end it.
     */
    static final class Capsules extends ChannelInboundHandlerAdapter implements CapsuleReader.Receiver {
        /** The session the stream carries (its CONNECT was accepted), or null: a request answered and ended. */
        WebTransportSession session;
        private CapsuleReader reader;
        private ChannelHandlerContext ctx;

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (session == null || !(msg instanceof ByteBuf in)) {
                ReferenceCountUtil.release(msg);
                return;
            }
            if (reader == null) {
                reader = new CapsuleReader(ctx.alloc(), this);
            }
            try {
                reader.read(in);
            } finally {
                in.release();
            }
        }

        @Override
        public void closed(long code, String message) {
            session.closedByPeer(code, message);
        }

        @Override
        public void drained() {
            session.peerDrained();
        }

        @Override
        public void malformed(String why) {
            LOG.debugf("the CONNECT stream of a WebTransport session reset: %s", why);
            ((QuicStreamChannel) ctx.channel()).shutdown(MESSAGE_ERROR);
            ctx.close();
        }

        @Override
        public void handlerRemoved(ChannelHandlerContext ctx) {
            if (reader != null) {
                reader.release();
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            // QUIC streams allow half-closure: without this, the session of a client that closed it would wait for
            // its connection's idle timeout, or the session's heartbeat, to end
            if (session != null && evt instanceof ChannelInputShutdownEvent) {
                ctx.close();
                return;
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // the client reset the stream: the session ends as the stream closes
            LOG.debugf("the CONNECT stream of a WebTransport session failed: %s", cause.getMessage());
            ctx.close();
        }
    }
}
