package dev.qsio.runtime.webtransport;

import java.io.File;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

import org.jboss.logging.Logger;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.EpollDatagramChannelConfig;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.incubator.codec.http3.DefaultHttp3SettingsFrame;
import io.netty.incubator.codec.http3.Http3;
import io.netty.incubator.codec.http3.Http3ServerConnectionHandler;
import io.netty.incubator.codec.http3.Http3SettingsFrame;
import io.netty.incubator.codec.quic.QuicChannel;
import io.netty.incubator.codec.quic.QuicServerCodecBuilder;
import io.netty.incubator.codec.quic.QuicSslContext;
import io.netty.incubator.codec.quic.QuicSslContextBuilder;
import io.netty.util.concurrent.GlobalEventExecutor;

/**
 * A WebTransport server (draft-ietf-webtrans-http3 over RFC 9114 HTTP/3) on a UDP port, on Netty's QUIC and HTTP/3
 * codecs. The codecs run the QUIC connections, the TLS handshake, the control and QPACK streams; this package adds
 * what WebTransport needs beyond them: the SETTINGS that announce it, the extended CONNECT ({@code :protocol}) that
 * opens a session, and the bidirectional streams that belong to a session ({@link Streams}). It knows nothing of what
 * the sessions carry: each is handed to the {@link Acceptor}.
 */
public final class WebTransportServer implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(WebTransportServer.class);

    /** SETTINGS_ENABLE_CONNECT_PROTOCOL (RFC 9220): the extended CONNECT that opens a session. */
    static final long ENABLE_CONNECT_PROTOCOL = 0x08;
    /** SETTINGS_H3_DATAGRAM (RFC 9297), which WebTransport requires of both ends. */
    static final long H3_DATAGRAM = 0x33;
    /** SETTINGS_ENABLE_WEBTRANSPORT of draft 02, as Chromium's first implementation reads it. */
    static final long ENABLE_WEBTRANSPORT = 0x2b603742L;
    /** SETTINGS_WEBTRANSPORT_MAX_SESSIONS of the later drafts. */
    static final long WEBTRANSPORT_MAX_SESSIONS = 0xc671706aL;

    /** Decides whether a session opens: its answer's status, 200 to accept it (called on the connection's loop). */
    public interface Acceptor {
        int accept(WebTransportSession session);
    }

    /**
     * Where the server listens, and with what; {@code socketBuffer}: the bytes asked for the UDP socket's receive and
     * send buffers ({@link #socketBuffers}).
     */
    public record Settings(String host, int port, File certificate, File key, int maxStreams, long idleTimeoutMs,
            int maxHeaderBytes, int socketBuffer) {
    }

    /**
     * {@code bootstrap} with the receive and send buffers of its UDP socket asked at {@code bytes}: the clients'
     * datagrams (a broadcast's acknowledgements from every session at once) wait there for the loop, and one that
     * finds the buffer full is dropped, to be sent again by its client after a timeout.
     */
    static Bootstrap socketBuffers(Bootstrap bootstrap, int bytes) {
        return bootstrap.option(ChannelOption.SO_RCVBUF, bytes).option(ChannelOption.SO_SNDBUF, bytes);
    }

    /**
     * The largest datagram a client may send (the {@code max_udp_payload_size} the server announces): a slot of an
     * epoll socket's batched reads ({@link #batchedReads}). Clients send at most 1,200 to 1,500 bytes (Chromium 1,350,
     * Netty's client 1,350); a path of a larger MTU is not used beyond it.
     */
    static final int MAX_DATAGRAM = 2048;
    /** Datagrams an epoll socket reads with one system call ({@code recvmmsg}). */
    static final int DATAGRAMS_PER_READ = 32;
    /**
     * The most flushes of the codec held back while no read is in progress ({@link #batchedWrites}): a broadcast to
     * thousands of sessions leaves in batches of that many connections' packets.
     */
    static final int FLUSHES_PER_WRITE = 256;

    /**
     * Makes an epoll {@code socket} read up to {@link #DATAGRAMS_PER_READ} datagrams with each system call
     * ({@code recvmmsg}): a broadcast's acknowledgements arrive from every session within a few milliseconds. A JDK
     * (NIO) socket reads one datagram a call, as before. Returns whether the socket reads in batches.
     */
    static boolean batchedReads(Channel socket) {
        if (socket.config() instanceof EpollDatagramChannelConfig epoll) {
            epoll.setMaxDatagramPayloadSize(MAX_DATAGRAM);
            epoll.setRecvByteBufAllocator(new FixedRecvByteBufAllocator(MAX_DATAGRAM * DATAGRAMS_PER_READ));
            return true;
        }
        return false;
    }

    /**
     * The handler that holds back the QUIC codec's flushes, to put between the socket and the codec. Outside a read,
     * the codec flushes the socket once for each connection it sends on: a broadcast to N sessions would cost N system
     * calls. Held back until the event loop's current task ends (or {@link #FLUSHES_PER_WRITE} of them), the packets of
     * all those connections leave with one call ({@code sendmmsg} on an epoll socket). Within a read, the codec itself
     * flushes once, when the read completes.
     */
    static ChannelHandler batchedWrites() {
        return new FlushConsolidationHandler(FLUSHES_PER_WRITE, true);
    }

    /**
     * Logs a warning when the kernel gave {@code socket} smaller buffers than {@code asked} (Linux caps them at
     * {@code net.core.rmem_max} and {@code wmem_max}); returns the receive buffer's bytes as accepted. Linux reports
     * twice what it accepted (its bookkeeping included): Netty's epoll channels give that figure as it is, the JDK's
     * channels halve it.
     */
    static int checkSocketBuffers(Channel socket, int asked) {
        int factor = socket.getClass().getName().startsWith("io.netty.channel.epoll.")
                && System.getProperty("os.name", "").startsWith("Linux") ? 2 : 1;
        int received = socket.config().getOption(ChannelOption.SO_RCVBUF) / factor;
        int sent = socket.config().getOption(ChannelOption.SO_SNDBUF) / factor;
        if (received < asked || sent < asked) {
            LOG.warnf("WebTransport: the UDP socket's buffers are %d bytes to receive and %d to send, less than the %d "
                    + "asked (quarkus.socketio.webtransport.socket-buffer): the kernel caps them at net.core.rmem_max and "
                    + "net.core.wmem_max. Under load the clients' datagrams that find the receive buffer full are dropped, "
                    + "and QUIC sends them again after a timeout: raise the limits (sysctl -w net.core.rmem_max=%d "
                    + "net.core.wmem_max=%d), or ask less to silence this", received, sent, asked, asked, asked);
        }
        return received;
    }

    /** The codec's request handler, which reads nothing: {@link Streams} takes every request stream before it. */
    @ChannelHandler.Sharable
    private static final class NoRequests extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            io.netty.util.ReferenceCountUtil.release(msg);
        }
    }

    private static final ChannelHandler NO_REQUESTS = new NoRequests();

    /**
     * How long {@link #close} waits, past a session's grace ({@link WebTransportSession#CLOSE_GRACE_MS}), for the
     * connections of the sessions that are ending to close.
     */
    static final long CLOSE_MARGIN_MS = 250;

    private final Channel channel;
    /** The host's port, when the primary holds it; -1 when this process bound it. */
    private final int relayedPort;
    /** Its QUIC connections, each until it closes. */
    private final ChannelGroup connections;

    WebTransportServer(Channel channel, int relayedPort, ChannelGroup connections) {
        this.channel = channel;
        this.relayedPort = relayedPort;
        this.connections = connections;
    }

    /** The UDP socket it reads (this process's), or the relay's channel in a worker. */
    Channel socket() {
        return channel;
    }

    /** Where clients reach it, for the log: the UDP port bound, or the primary's. */
    public String describe() {
        return relayedPort >= 0 ? "the host's UDP port, shared through the primary"
                : "UDP port " + ((InetSocketAddress) channel.localAddress()).getPort();
    }

    /**
     * Binds the port and serves sessions on {@code group}'s loops; fails when the port or the certificate is refused.
     * In a worker of a host (the primary gave it {@link QuicRelay#ENV_DIR}), the primary holds the port and relays
     * this worker's datagrams ({@link QuicRelay}).
     */
    public static WebTransportServer start(EventLoopGroup group, Settings settings, Acceptor acceptor)
            throws InterruptedException {
        Object[] relay = QuicRelay.fromEnvironment();
        ChannelGroup connections = new DefaultChannelGroup("webtransport-connections", GlobalEventExecutor.INSTANCE);
        QuicServerCodecBuilder builder = codec(settings, acceptor, connections);
        Channel ch;
        if (relay != null) {
            int slot = (Integer) relay[1];
            asWorker(builder, slot, QuicRelay.resetTokensFromEnvironment());
            InetSocketAddress publicAddress = new InetSocketAddress(settings.host() == null ? "0.0.0.0" : settings.host(),
                    settings.port());
            ch = WorkerPort.start(group, (java.nio.file.Path) relay[0], slot, publicAddress, builder.build());
        } else {
            ch = bind(group, settings, builder.build());
        }
        LOG.debugf("WebTransport listening on %s", ch.localAddress());
        return new WebTransportServer(ch, relay == null ? -1 : settings.port(), connections);
    }

    /**
     * The UDP socket of a server alone on its port, read and written by {@code codec}: its buffers asked, its reads and
     * the codec's flushes batched.
     */
    static Channel bind(EventLoopGroup group, Settings settings, ChannelHandler codec) throws InterruptedException {
        Bootstrap bootstrap = socketBuffers(new Bootstrap(), settings.socketBuffer()).group(group)
                .channel(datagramChannel(group))
                // the batched packets wait in the channel until their flush: at Netty's default of 64 KB, a broadcast's
                // would make the socket unwritable and writable again, and on each return to writable the codec tries
                // to send on every one of its connections (10,000 sessions: 20,000 calls into quiche, again and again)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK,
                        new WriteBufferWaterMark(settings.socketBuffer() / 2, settings.socketBuffer()))
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel socket) {
                        batchedReads(socket);
                        socket.pipeline().addLast(batchedWrites(), codec);
                    }
                });
        Channel ch = settings.host() == null ? bootstrap.bind(settings.port()).sync().channel()
                : bootstrap.bind(settings.host(), settings.port()).sync().channel();
        checkSocketBuffers(ch, settings.socketBuffer());
        return ch;
    }

    /** The QUIC codec of a server alone on its port: its TLS, transport parameters and connections' handlers. */
    static QuicServerCodecBuilder codec(Settings settings, Acceptor acceptor) {
        return codec(settings, acceptor, null);
    }

    /** {@link #codec(Settings, Acceptor)}, each of its connections in {@code connections} (when not null) while open. */
    static QuicServerCodecBuilder codec(Settings settings, Acceptor acceptor, ChannelGroup connections) {
        QuicSslContext tls = QuicSslContextBuilder.forServer(settings.key(), null, settings.certificate())
                .applicationProtocols(Http3.supportedApplicationProtocols()).build();
        return Http3.newQuicServerCodecBuilder()
                .sslContext(tls)
                .maxIdleTimeout(settings.idleTimeoutMs(), TimeUnit.MILLISECONDS)
                // what a slot of the socket's batched reads holds (batchedReads)
                .maxRecvUdpPayloadSize(MAX_DATAGRAM)
                .initialMaxData(16L * 1024 * 1024)
                .initialMaxStreamDataBidirectionalLocal(2L * 1024 * 1024)
                .initialMaxStreamDataBidirectionalRemote(2L * 1024 * 1024)
                // the CONNECT stream, and the session's streams
                .initialMaxStreamsBidirectional(1 + settings.maxStreams())
                // WebTransport requires QUIC datagrams to be on (an Engine.IO session sends none)
                .datagram(16, 16)
                // no token handler, so no Retry: the server answers a client's first Initial with its own. A Retry costs
                // the handshake a round trip through the worker's queue, which a reconnecting herd makes seconds long:
                // Chromium gives up on an attempt whose server has not answered its Initial after 4 s, and in a herd of
                // 300 it did, again and again, for some clients (their Retry came, the answer to their tokened Initial 4
                // to 6 s after their first). Netty's token was no address validation either: anyone can write it.
                // QUIC's limit of three times the bytes received, before the client's address is validated, holds.
                .handler(new ChannelInitializer<QuicChannel>() {
                    @Override
                    protected void initChannel(QuicChannel connection) {
                        if (connections != null) {
                            connections.add(connection);
                        }
                        connection.pipeline().addLast(new Streams.Router(acceptor, settings.maxHeaderBytes()));
                        connection.pipeline().addLast(
                                new Http3ServerConnectionHandler(NO_REQUESTS, null, null, localSettings(), true));
                    }
                });
    }

    /**
     * The codec of a worker of a host: the ids it issues name its slot ({@link QuicRelay.SlotIds}), and with the
     * primary's {@code tokens} (null: none given), its stateless reset token is the one the primary answers with once
     * the worker is gone.
     */
    static void asWorker(QuicServerCodecBuilder builder, int slot, QuicRelay.ResetTokens tokens) {
        builder.connectionIdAddressGenerator(new QuicRelay.SlotIds(slot)).localConnectionIdLength(QuicRelay.ID_LENGTH);
        if (tokens != null) {
            builder.statelessResetToken(tokens.forSlot(slot)).resetTokenGenerator(tokens);
        }
    }

    /** The SETTINGS that announce WebTransport, with QPACK's dynamic table off (see {@link Qpack}). */
    private static Http3SettingsFrame localSettings() {
        DefaultHttp3SettingsFrame settings = new DefaultHttp3SettingsFrame();
        settings.put(Http3SettingsFrame.HTTP3_SETTINGS_QPACK_MAX_TABLE_CAPACITY, 0L);
        settings.put(Http3SettingsFrame.HTTP3_SETTINGS_QPACK_BLOCKED_STREAMS, 0L);
        settings.put(ENABLE_CONNECT_PROTOCOL, 1L);
        settings.put(H3_DATAGRAM, 1L);
        settings.put(ENABLE_WEBTRANSPORT, 1L);
        settings.put(WEBTRANSPORT_MAX_SESSIONS, 1L);
        return settings;
    }

    @SuppressWarnings("unchecked")
    private static Class<? extends DatagramChannel> datagramChannel(EventLoopGroup group) {
        if (group.getClass().getName().contains("Epoll")) {
            try {
                return (Class<? extends DatagramChannel>) Class.forName("io.netty.channel.epoll.EpollDatagramChannel");
            } catch (ClassNotFoundException e) {
                // an epoll group without the epoll channels: cannot be, as the group is made by them
            }
        }
        return NioDatagramChannel.class;
    }

    /**
     * Stops listening, and closes the connections open. Those that carry a session are first given the time to close
     * as their clients end them, at most a session's grace and {@link #CLOSE_MARGIN_MS}: a drain has just ended their
     * sessions (the server's CLOSE capsule and FIN, sent or about to be), and a connection closed at once could reach
     * its client before its session's end, which its page would then be told was a lost connection (a socket.io
     * client: "transport error" instead of "transport close", seen in a rolling restart); so could a worker's exit,
     * after which the primary answers its connections with stateless resets. The rest are closed with HTTP/3's
     * NO_ERROR, as a session's grace closes its connection: the socket's close alone would leave their clients waiting
     * for their idle timeout. Called off the connections' loop; on it, nothing is waited for.
     */
    @Override
    public void close() {
        if (!channel.eventLoop().inEventLoop()) {
            connections.newCloseFuture(WebTransportSession::carriesSession)
                    .awaitUninterruptibly(WebTransportSession.CLOSE_GRACE_MS + CLOSE_MARGIN_MS);
        }
        for (Channel connection : connections) {
            if (connection instanceof QuicChannel quic) {
                WebTransportSession.closeConnection(quic);
            }
        }
        channel.close().syncUninterruptibly();
    }
}
