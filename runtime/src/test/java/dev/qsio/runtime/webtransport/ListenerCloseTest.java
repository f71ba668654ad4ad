package dev.qsio.runtime.webtransport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.ChannelInputShutdownReadComplete;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.incubator.codec.http3.Http3;
import io.netty.incubator.codec.quic.QuicChannel;
import io.netty.incubator.codec.quic.QuicConnectionCloseEvent;
import io.netty.incubator.codec.quic.QuicServerCodecBuilder;
import io.netty.incubator.codec.quic.QuicSslContextBuilder;
import io.netty.incubator.codec.quic.QuicStreamChannel;
import io.netty.incubator.codec.quic.QuicStreamType;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.vertx.core.MultiMap;

/**
 * The listener closes (a stopping process, once its drain has ended every session) without cutting the sessions it
 * just ended: a connection that carries a session is left to close as its client ends it, as a browser does once its
 * page has read the session's CLOSE (else the page is told the connection was lost: socket.io's "transport error"
 * where "transport close" was meant), at most a session's grace; a connection without a session is closed at once.
 * The clients are Netty's QUIC client; the session is this package's, on a stream the client opened.
 */
class ListenerCloseTest {

    /** How long a client that ends its connection itself waits after its session's end: as a page reading it. */
    private static final long CLIENT_DELAY_MS = 300;

    private static WebTransportServer.Settings settings;

    private NioEventLoopGroup group;
    private NioEventLoopGroup clients;
    private WebTransportServer server;
    private final List<QuicChannel> serverConnections = new CopyOnWriteArrayList<>();
    private final List<QuicStreamChannel> serverStreams = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void certificate(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        settings = TestServers.settings(dir, 30_000);
    }

    @BeforeEach
    void start() throws Exception {
        group = new NioEventLoopGroup(1);
        clients = new NioEventLoopGroup(1);
        ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
        QuicServerCodecBuilder codec = WebTransportServer.codec(settings, session -> 200, connections)
                .handler(new ChannelInitializer<QuicChannel>() {
                    @Override
                    protected void initChannel(QuicChannel connection) {
                        // as the codec's own handler does: each connection in the server's group while it is open
                        connections.add(connection);
                        serverConnections.add(connection);
                    }
                })
                .streamHandler(TestServers.recordingStreams(serverStreams));
        server = new WebTransportServer(WebTransportServer.bind(group, settings, codec.build()), -1, connections);
    }

    @AfterEach
    void stop() {
        server.close();
        clients.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /**
     * The server ends a session, and its listener closes at once after: the client, which closes its connection a
     * little after its session's end, reads the session's CLOSE and FIN, then closes the connection itself, before the
     * listener's close returns (a worker exits then); the server never closed it. Without the wait, the close returned
     * before the client had ended its side (it failed so).
     */
    @Test
    void aSessionJustEndedIsLeftToItsClientToClose() throws Exception {
        Client client = endSessionThenCloseListener(true);
        assertThat(client.closedItself).as("the client had ended its connection when the listener's close returned")
                .isTrue();

        assertThat(client.received()).as("the client's stream: the CLOSE capsule, code 0, no message")
                .containsExactly(0x00, 0x07, 0x68, 0x43, 0x04, 0, 0, 0, 0);
        await().atMost(Duration.ofSeconds(10)).until(() -> !client.connection.isOpen());
        assertThat(client.closesFromServer).as("the server's closes of the connection").isEmpty();
        assertThat(client.closedItself).isTrue();
    }

    /**
     * A client that does not close its connection after its session's end: the server closes it (HTTP/3's NO_ERROR,
     * 0x100), the session's grace or the listener past it, and the listener's close returns.
     */
    @Test
    void aClientThatKeepsItsConnectionIsClosedAfterTheGrace() throws Exception {
        Client client = endSessionThenCloseListener(false);

        await().atMost(Duration.ofSeconds(10)).until(() -> !client.connection.isOpen());
        assertThat(client.closesFromServer).as("the server's closes of the connection").hasSize(1);
        QuicConnectionCloseEvent close = client.closesFromServer.get(0);
        assertThat(close.isApplicationClose()).isTrue();
        assertThat(close.error()).as("H3_NO_ERROR").isEqualTo(WebTransportSession.H3_NO_ERROR);
        assertThat(client.closedItself).isFalse();
    }

    /**
     * A connection without a session (its CONNECT never came) is closed with the listener, at once and with HTTP/3's
     * NO_ERROR: the socket's close alone left its client waiting for its idle timeout (it failed so).
     */
    @Test
    void aConnectionWithoutASessionIsClosedWithTheListener() throws Exception {
        Client client = connect(true);
        await().atMost(Duration.ofSeconds(10)).until(() -> serverStreams.size() == 1);
        server.close();

        await().atMost(Duration.ofSeconds(10)).until(() -> !client.connection.isOpen());
        assertThat(client.closesFromServer).as("the server's closes of the connection").hasSize(1);
        assertThat(client.closesFromServer.get(0).isApplicationClose()).isTrue();
        assertThat(client.closesFromServer.get(0).error()).as("H3_NO_ERROR").isEqualTo(WebTransportSession.H3_NO_ERROR);
        assertThat(client.closedItself).isFalse();
    }

    /**
     * A client's session ended by the server, and the listener closed once the client has read the session's end (as a
     * drain ends every session, then closes the listener); returns when the listener's close has.
     */
    private Client endSessionThenCloseListener(boolean closesItself) throws Exception {
        Client client = connect(closesItself);
        sessionOf(client).close();
        await().atMost(Duration.ofSeconds(10)).until(() -> client.finished);
        server.close();
        return client;
    }

    /** The session of {@code client}'s stream, on the server's side of it. */
    private WebTransportSession sessionOf(Client client) throws Exception {
        await().atMost(Duration.ofSeconds(10)).until(() -> serverStreams.size() == 1);
        QuicStreamChannel stream = serverStreams.get(0);
        return stream.eventLoop().submit(() -> new WebTransportSession(stream.parent(), stream, "/", "localhost",
                MultiMap.caseInsensitiveMultiMap())).get(10, TimeUnit.SECONDS);
    }

    /** A client's connection and its stream, with a byte sent on it so that the server sees the stream. */
    private Client connect(boolean closesItself) throws Exception {
        Channel socket = new Bootstrap().group(clients).channel(NioDatagramChannel.class)
                .handler(Http3.newQuicClientCodecBuilder()
                        .sslContext(QuicSslContextBuilder.forClient().trustManager(InsecureTrustManagerFactory.INSTANCE)
                                .applicationProtocols(Http3.supportedApplicationProtocols()).build())
                        .maxIdleTimeout(20, TimeUnit.SECONDS).initialMaxData(1 << 20)
                        .initialMaxStreamDataBidirectionalLocal(1 << 20).build())
                .bind("127.0.0.1", 0).sync().channel();
        Client client = new Client(closesItself);
        client.connection = QuicChannel.newBootstrap(socket).handler(new ChannelInboundHandlerAdapter() {
            @Override
            public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
                if (event instanceof QuicConnectionCloseEvent close) {
                    client.closesFromServer.add(close);
                }
                ctx.fireUserEventTriggered(event);
            }
        }).remoteAddress(server.socket().localAddress()).connect().get(20, TimeUnit.SECONDS);
        client.connection.closeFuture().addListener(f -> socket.close());
        // half-closed, as a browser's: the server's FIN ends the stream's input, and its output stays open
        client.stream = client.connection.newStreamBootstrap().type(QuicStreamType.BIDIRECTIONAL)
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true).handler(client).create().get(20, TimeUnit.SECONDS);
        client.stream.writeAndFlush(Unpooled.wrappedBuffer(new byte[] { 1 })).sync();
        return client;
    }

    /** A client's side: what its stream read, and, when it closes its connection itself, that close once FIN came. */
    private static final class Client extends ChannelInboundHandlerAdapter {
        private final boolean closesItself;
        private final ByteBuf in = Unpooled.buffer();
        final List<QuicConnectionCloseEvent> closesFromServer = new CopyOnWriteArrayList<>();
        volatile boolean closedItself;
        /** The server's FIN came. */
        volatile boolean finished;
        volatile QuicChannel connection;
        volatile QuicStreamChannel stream;

        Client(boolean closesItself) {
            this.closesItself = closesItself;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            synchronized (in) {
                in.writeBytes((ByteBuf) msg);
            }
            ReferenceCountUtil.release(msg);
        }

        /** The stream's input ended (the server's FIN): a page reads the session's end, then its client closes the connection. */
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
            if (event == ChannelInputShutdownReadComplete.INSTANCE) {
                finished = true;
            }
            if (event == ChannelInputShutdownReadComplete.INSTANCE && closesItself && connection.isActive()) {
                connection.eventLoop().schedule(() -> {
                    if (connection.isActive()) {
                        closedItself = true;

                        connection.close(true, 0, Unpooled.EMPTY_BUFFER);
                    }
                }, CLIENT_DELAY_MS, TimeUnit.MILLISECONDS);
            }
            ctx.fireUserEventTriggered(event);
        }

        List<Integer> received() {
            synchronized (in) {
                List<Integer> bytes = new java.util.ArrayList<>();
                for (int i = in.readerIndex(); i < in.writerIndex(); i++) {
                    bytes.add((int) in.getUnsignedByte(i));
                }
                return bytes;
            }
        }
    }
}
