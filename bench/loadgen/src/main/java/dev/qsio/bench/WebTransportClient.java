package dev.qsio.bench;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.incubator.codec.http3.DefaultHttp3SettingsFrame;
import io.netty.incubator.codec.http3.Http3;
import io.netty.incubator.codec.http3.Http3ClientConnectionHandler;
import io.netty.incubator.codec.http3.Http3SettingsFrame;
import io.netty.incubator.codec.quic.QuicChannel;
import io.netty.incubator.codec.quic.QuicSslContext;
import io.netty.incubator.codec.quic.QuicSslContextBuilder;
import io.netty.incubator.codec.quic.QuicStreamChannel;
import io.netty.incubator.codec.quic.QuicStreamType;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.impl.ContextInternal;
import io.vertx.core.impl.VertxInternal;

/**
 * The generator's WebTransport client: what Chromium does to open an Engine.IO session on WebTransport
 * (engine.io-client's {@code webtransport} transport), on Netty's QUIC and HTTP/3 codecs, so that the bench measures
 * the server's WebTransport as it measures its WebSocket. Per session: a QUIC connection (its TLS handshake
 * included: a browser opens one per session too), the HTTP/3 SETTINGS on its control stream, an extended CONNECT
 * ({@code :protocol=webtransport}) on the first bidirectional stream, and once it is answered 200, a second
 * bidirectional stream opened with WEBTRANSPORT_STREAM (0x41) and the session's id, which carries the Engine.IO packets
 * behind engine.io-parser's length headers. The first packet is the client's OPEN ({@code 0}); from there the packets
 * are those of a WebSocket, and {@link Conn} speaks them.
 * <p>
 * The connections share {@link #SOCKETS_PER_LOOP} UDP sockets per event loop of the generator (QUIC tells them apart
 * by connection id), so that the sessions cost the generator no file descriptor each, and yet come from enough
 * addresses that a host's workers, among which the kernel spreads the clients by address, each get their share (a
 * browser opens a socket for each connection). The server's certificate is not checked: the targets
 * run with one made for the run.
 */
final class WebTransportClient implements AutoCloseable {

    /** HEADERS (RFC 9114). */
    private static final int HEADERS = 0x01;
    /** The signal that opens a WebTransport bidirectional stream. */
    private static final int WEBTRANSPORT_STREAM = 0x41;
    private static final long ENABLE_CONNECT_PROTOCOL = 0x08;
    private static final long H3_DATAGRAM = 0x33;
    private static final long ENABLE_WEBTRANSPORT = 0x2b603742L;
    private static final long WEBTRANSPORT_MAX_SESSIONS = 0xc671706aL;
    /** The QPACK static table's index of {@code :status 200}. */
    private static final int STATUS_200 = 25;

    /** The UDP sockets of each of the generator's loops, the sessions drawn over them in turn. */
    static final int SOCKETS_PER_LOOP = 32;

    private final VertxInternal vertx;
    private final QuicSslContext tls;
    private final Channel[] sockets;
    private final ContextInternal[] contexts;
    private final AtomicInteger next = new AtomicInteger();

    WebTransportClient(Vertx vertx, int loops) throws InterruptedException {
        this.vertx = (VertxInternal) vertx;
        tls = QuicSslContextBuilder.forClient().trustManager(InsecureTrustManagerFactory.INSTANCE)
                .applicationProtocols(Http3.supportedApplicationProtocols()).build();
        EventLoopGroup group = vertx.nettyEventLoopGroup();
        sockets = new Channel[loops * SOCKETS_PER_LOOP];
        contexts = new ContextInternal[loops * SOCKETS_PER_LOOP];
        io.netty.channel.EventLoop[] loopsUsed = new io.netty.channel.EventLoop[loops];
        ContextInternal[] loopContexts = new ContextInternal[loops];
        for (int l = 0; l < loops; l++) {
            loopsUsed[l] = group.next();
            loopContexts[l] = this.vertx.createEventLoopContext(loopsUsed[l], null, null);
        }
        for (int i = 0; i < sockets.length; i++) {
            io.netty.channel.EventLoop loop = loopsUsed[i % loops];
            io.netty.channel.ChannelHandler codec = Http3.newQuicClientCodecBuilder()
                    .sslContext(tls)
                    .maxIdleTimeout(120, TimeUnit.SECONDS)
                    .initialMaxData(16L * 1024 * 1024)
                    .initialMaxStreamDataBidirectionalLocal(2L * 1024 * 1024)
                    .initialMaxStreamDataBidirectionalRemote(2L * 1024 * 1024)
                    .initialMaxStreamsBidirectional(4)
                    .datagram(16, 16)
                    .build();
            sockets[i] = new Bootstrap().group(loop).channel(datagramChannel(group))
                    // a broadcast to every session comes in on these sockets at once, while the generator's loops
                    // may be busy: 512 KB each dropped datagrams in fan-out windows (UdpRcvbufErrors), where a browser
                    // reads each connection from a socket of its own; the kernel caps this at net.core.rmem_max
                    .option(ChannelOption.SO_RCVBUF, 4 * 1024 * 1024)
                    .option(ChannelOption.SO_SNDBUF, 4 * 1024 * 1024)
                    .handler(codec).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
            contexts[i] = loopContexts[i % loops];
        }
    }

    /**
     * Opens a session for {@code conn} at {@code port}'s UDP port; the session's packets go to {@code conn}, whose
     * {@link Conn#connected} fails when the session cannot be opened.
     */
    void connect(Conn conn, int port) {
        int i = Math.floorMod(next.getAndIncrement(), sockets.length);
        Channel socket = sockets[i];
        Session session = new Session(conn);
        conn.wire(session, contexts[i]);
        socket.eventLoop().execute(() -> QuicChannel.newBootstrap(socket)
                .handler(new ChannelInitializer<QuicChannel>() {
                    @Override
                    protected void initChannel(QuicChannel ch) {
                        ch.pipeline().addLast(new Http3ClientConnectionHandler(null, null, null, settings(), true));
                        ch.pipeline().addLast(ENDS_ON_ERROR);
                    }
                })
                .remoteAddress(new InetSocketAddress("127.0.0.1", port))
                .connect().addListener(f -> {
                    if (!f.isSuccess()) {
                        session.failed(f.cause());
                        return;
                    }
                    session.opened((QuicChannel) f.getNow());
                }));
    }

    /**
     * The end of a connection's pipeline: an error of the connection (its control stream not opened because the server
     * never answered, say) ends it, and the session's {@link Conn} learns it as a close.
     */
    @io.netty.channel.ChannelHandler.Sharable
    private static final class EndsOnError extends ChannelInboundHandlerAdapter {
        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    private static final EndsOnError ENDS_ON_ERROR = new EndsOnError();

    /** The SETTINGS of a browser that speaks WebTransport, with QPACK's dynamic table off. */
    private static Http3SettingsFrame settings() {
        DefaultHttp3SettingsFrame s = new DefaultHttp3SettingsFrame();
        s.put(Http3SettingsFrame.HTTP3_SETTINGS_QPACK_MAX_TABLE_CAPACITY, 0L);
        s.put(Http3SettingsFrame.HTTP3_SETTINGS_QPACK_BLOCKED_STREAMS, 0L);
        s.put(ENABLE_CONNECT_PROTOCOL, 1L);
        s.put(H3_DATAGRAM, 1L);
        s.put(ENABLE_WEBTRANSPORT, 1L);
        s.put(WEBTRANSPORT_MAX_SESSIONS, 1L);
        return s;
    }

    /** One session: its QUIC connection, CONNECT stream and Engine.IO stream. On the connection's loop. */
    private static final class Session implements Conn.Wire {
        private final Conn conn;
        private volatile QuicChannel connection;
        private QuicStreamChannel packets;
        private volatile boolean closing;
        /** The QUIC connection could not be opened. */
        private volatile boolean gone;

        Session(Conn conn) {
            this.conn = conn;
        }

        void failed(Throwable cause) {
            conn.failed(cause);
            gone = true;
            if (closing) {
                conn.closed();
            }
        }

        void opened(QuicChannel quic) {
            connection = quic;
            quic.closeFuture().addListener(f -> conn.closed());
            if (closing) {
                quic.close();
                return;
            }
            quic.createStream(QuicStreamType.BIDIRECTIONAL, new ConnectAnswer(this)).addListener(f -> {
                if (!f.isSuccess()) {
                    conn.failed(f.cause());
                    quic.close();
                    return;
                }
                QuicStreamChannel stream = (QuicStreamChannel) f.getNow();
                int port = ((InetSocketAddress) quic.remoteSocketAddress()).getPort();
                byte[] fields = connectFields("127.0.0.1:" + port, "/socket.io/?EIO=4&transport=webtransport");
                ByteBuf frame = stream.alloc().buffer(fields.length + 8);
                writeVarint(frame, HEADERS);
                writeVarint(frame, fields.length);
                frame.writeBytes(fields);
                stream.writeAndFlush(frame);
            });
        }

        /** The CONNECT was answered 200: the Engine.IO stream opens, and its first packet is the client's OPEN. */
        void accepted(long sessionId) {
            connection.createStream(QuicStreamType.BIDIRECTIONAL, new Frames(conn)).addListener(f -> {
                if (!f.isSuccess()) {
                    conn.failed(f.cause());
                    connection.close();
                    return;
                }
                packets = (QuicStreamChannel) f.getNow();
                conn.upgraded = true;
                ByteBuf start = packets.alloc().buffer(16);
                writeVarint(start, WEBTRANSPORT_STREAM);
                writeVarint(start, sessionId);
                packets.write(start);
                send("0");
            });
        }

        void refused(String why) {
            conn.failed(new IllegalStateException("WebTransport session refused: " + why));
            connection.close();
        }

        @Override
        public void send(String text) {
            QuicStreamChannel s = packets;
            byte[] body = text.getBytes(StandardCharsets.UTF_8);
            ByteBuf frame = s.alloc().buffer(body.length + 9);
            if (body.length < 126) {
                frame.writeByte(body.length);
            } else if (body.length < 65536) {
                frame.writeByte(126).writeShort(body.length);
            } else {
                frame.writeByte(127).writeLong(body.length);
            }
            frame.writeBytes(body);
            s.writeAndFlush(frame, s.voidPromise());
        }

        @Override
        public void close() {
            closing = true;
            QuicChannel c = connection;
            if (c != null) {
                c.close();
            } else if (gone) {
                throw new IllegalStateException("the QUIC connection never opened");
            }
        }
    }

    /**
     * A stream of a session: its end or its failure ends the session's connection (the server ended the session: the
     * client leaves, as Chromium closes the connection then). The streams are made without half-closure, so the
     * server's FIN makes the stream inactive (no {@link ChannelInputShutdownEvent}): that is the end that counts. Before
     * it was, a session the server ended stayed open here until the connection's close came, a single packet that an
     * overloaded window could drop, and the session then looked open and received nothing.
     */
    private abstract static class SessionStream extends ByteToMessageDecoder {
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof ChannelInputShutdownEvent) {
                ((QuicStreamChannel) ctx.channel()).parent().close();
                return;
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            super.channelInactive(ctx);
            ((QuicStreamChannel) ctx.channel()).parent().close();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ((QuicStreamChannel) ctx.channel()).parent().close();
        }
    }

    /** Reads the answer to the CONNECT, then waits for the stream's end (the server ended the session). */
    private static final class ConnectAnswer extends SessionStream {
        private final Session session;
        private boolean answered;

        ConnectAnswer(Session session) {
            this.session = session;
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
            if (answered) {
                // the session's capsules (a CLOSE before the end of the stream): the end of the stream is what counts
                in.skipBytes(in.readableBytes());
                return;
            }
            int start = in.readerIndex();
            long type = readVarint(in);
            long length = type < 0 ? -1 : readVarint(in);
            if (length < 0 || in.readableBytes() < length) {
                in.readerIndex(start);
                return;
            }
            answered = true;
            if (type != HEADERS || length < 3) {
                in.skipBytes(in.readableBytes());
                session.refused("the CONNECT's answer is not a HEADERS frame (type " + type + ")");
                return;
            }
            // the section's prefix (two bytes: no dynamic table), then an indexed field line of the static table
            int line = in.getUnsignedByte(in.readerIndex() + 2);
            in.skipBytes((int) length);
            if (line == (0xC0 | STATUS_200)) {
                session.accepted(((QuicStreamChannel) ctx.channel()).streamId());
            } else {
                session.refused("status field line 0x" + Integer.toHexString(line) + " (not :status 200)");
            }
        }

    }

    /** The Engine.IO packets of the session's stream, each behind its length header, text ones to the {@link Conn}. */
    private static final class Frames extends SessionStream {
        private final Conn conn;

        Frames(Conn conn) {
            this.conn = conn;
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
            while (in.isReadable()) {
                int r = in.readerIndex();
                int first = in.getUnsignedByte(r);
                boolean binary = (first & 0x80) != 0;
                int len7 = first & 0x7f;
                long length;
                int header;
                if (len7 < 126) {
                    length = len7;
                    header = 1;
                } else if (len7 == 126) {
                    if (in.readableBytes() < 3) {
                        return;
                    }
                    length = in.getUnsignedShort(r + 1);
                    header = 3;
                } else {
                    if (in.readableBytes() < 9) {
                        return;
                    }
                    length = in.getLong(r + 1);
                    header = 9;
                }
                if (in.readableBytes() < header + length) {
                    return;
                }
                in.skipBytes(header);
                ByteBuf body = in.readSlice((int) length);
                if (!binary) {
                    conn.onText(Buffer.buffer(body));
                }
            }
        }

    }

    /**
     * The CONNECT's field section in QPACK with the dynamic table off: the section's prefix, then every field as a
     * literal field line with a literal name.
     */
    static byte[] connectFields(String authority, String path) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(160);
        out.write(0);
        out.write(0);
        String[][] fields = { { ":method", "CONNECT" }, { ":protocol", "webtransport" }, { ":scheme", "https" },
                { ":authority", authority }, { ":path", path }, { "origin", "https://" + authority } };
        for (String[] f : fields) {
            byte[] name = f[0].getBytes(StandardCharsets.US_ASCII);
            byte[] value = f[1].getBytes(StandardCharsets.US_ASCII);
            // 001 N H and the name's length on 3 bits; then H and the value's length on 7 bits
            prefixed(out, 0x20, 3, name.length);
            out.write(name, 0, name.length);
            prefixed(out, 0x00, 7, value.length);
            out.write(value, 0, value.length);
        }
        return out.toByteArray();
    }

    /** A QPACK integer (RFC 7541's prefixed integer) on {@code bits} bits after the pattern {@code high}. */
    static void prefixed(java.io.ByteArrayOutputStream out, int high, int bits, int value) {
        int max = (1 << bits) - 1;
        if (value < max) {
            out.write(high | value);
            return;
        }
        out.write(high | max);
        value -= max;
        while (value >= 128) {
            out.write((value & 0x7f) | 0x80);
            value >>>= 7;
        }
        out.write(value);
    }

    static void writeVarint(ByteBuf out, long v) {
        if (v < 64) {
            out.writeByte((int) v);
        } else if (v < 16384) {
            out.writeShort((int) (0x4000 | v));
        } else if (v < 1L << 30) {
            out.writeInt((int) (0x80000000L | v));
        } else {
            out.writeLong(0xC000000000000000L | v);
        }
    }

    /** A QUIC variable-length integer, or -1 (the reader index unchanged) when not all of it has come. */
    static long readVarint(ByteBuf in) {
        if (!in.isReadable()) {
            return -1;
        }
        int first = in.getUnsignedByte(in.readerIndex());
        int length = 1 << (first >> 6);
        if (in.readableBytes() < length) {
            return -1;
        }
        long v = in.readUnsignedByte() & 0x3f;
        for (int i = 1; i < length; i++) {
            v = (v << 8) | in.readUnsignedByte();
        }
        return v;
    }

    @SuppressWarnings("unchecked")
    private static Class<? extends DatagramChannel> datagramChannel(EventLoopGroup group) {
        if (group.getClass().getName().contains("Epoll")) {
            try {
                return (Class<? extends DatagramChannel>) Class.forName("io.netty.channel.epoll.EpollDatagramChannel");
            } catch (ClassNotFoundException e) {
                // an epoll group is made with the epoll channels
            }
        }
        return NioDatagramChannel.class;
    }

    @Override
    public void close() {
        for (Channel s : sockets) {
            s.close().syncUninterruptibly();
        }
    }
}
