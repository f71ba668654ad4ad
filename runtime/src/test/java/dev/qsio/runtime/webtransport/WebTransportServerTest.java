package dev.qsio.runtime.webtransport;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.incubator.codec.http3.Http3;
import io.netty.incubator.codec.quic.QuicChannel;
import io.netty.incubator.codec.quic.QuicConnectionAddress;
import io.netty.incubator.codec.quic.QuicServerCodecBuilder;
import io.netty.incubator.codec.quic.QuicSslContextBuilder;
import io.netty.util.concurrent.Future;

/**
 * QUIC connections to the codec of a server alone and of a worker of a host (its slot's ids and the primary's reset
 * token), from a client whose first destination id has each length QUIC allows a client to choose (8 to 20 bytes):
 * each completes its handshake. With a worker's ids of 20 bytes, quiche could not fit a worker's transport parameters
 * after its Retry and refused Netty's client whatever the length of its id (every case of the worker failed).
 */
class WebTransportServerTest {

    private static NioEventLoopGroup group;
    private static WebTransportServer.Settings settings;

    @BeforeAll
    static void certificate(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        settings = TestServers.settings(dir, 10_000);
        group = new NioEventLoopGroup(1);
    }

    @AfterAll
    static void stop() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @ParameterizedTest
    @ValueSource(ints = { 8, 16, 20 })
    void aWorkerAcceptsAClientWhateverTheLengthOfItsFirstId(int idLength) throws Exception {
        QuicServerCodecBuilder codec = WebTransportServer.codec(settings, session -> 200);
        WebTransportServer.asWorker(codec, 3, new QuicRelay.ResetTokens(new byte[32]));
        assertThat(handshake(codec, idLength)).as("the worker's QUIC handshake with a client id of %d bytes", idLength)
                .isTrue();
    }

    @ParameterizedTest
    @ValueSource(ints = { 8, 16, 20 })
    void aServerAloneAcceptsAClientWhateverTheLengthOfItsFirstId(int idLength) throws Exception {
        assertThat(handshake(WebTransportServer.codec(settings, session -> 200), idLength))
                .as("the QUIC handshake with a client id of %d bytes", idLength).isTrue();
    }

    /**
     * The listener's UDP socket gets the buffers asked ({@code socket-buffer}), within what the kernel allows, and says
     * nothing then; asked more than {@code net.core.rmem_max}, it gets that and logs a warning that names the setting
     * and the limit to raise (a full buffer drops the clients' datagrams, which they send again after a timeout).
     */
    @Test
    void theSocketGetsTheBuffersAskedOrAWarningNamingTheLimit() throws Exception {
        // read line by line: a file of /proc says it is empty, and a read of its declared size stops short
        long rmem = Long.parseLong(Files.readAllLines(Path.of("/proc/sys/net/core/rmem_max")).get(0).trim());
        long wmem = Long.parseLong(Files.readAllLines(Path.of("/proc/sys/net/core/wmem_max")).get(0).trim());
        List<String> warnings = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (record.getLevel().intValue() >= Level.WARNING.intValue()
                        && record.getLoggerName().equals(WebTransportServer.class.getName())) {
                    warnings.add(String.valueOf(record.getMessage()) + " " + java.util.Arrays.toString(record.getParameters()));
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        java.util.logging.Logger.getLogger("").addHandler(capture);
        try {
            checkBuffersOnBothChannels(rmem, wmem, warnings);
        } finally {
            java.util.logging.Logger.getLogger("").removeHandler(capture);
        }
    }

    private static void checkBuffersOnBothChannels(long rmem, long wmem, List<String> warnings) throws Exception {
        // the JDK's channels (Vert.x's default) and Netty's epoll ones (its native transport, and the primary's
        // sockets of a host's port), which read the kernel's figure differently
        EventLoopGroup epoll = new EpollEventLoopGroup(1);
        try {
            for (EventLoopGroup g : List.of(group, epoll)) {
                warnings.clear();
                int within = (int) Math.min(512 * 1024, Math.min(rmem, wmem));
                try (WebTransportServer server = WebTransportServer.start(g, withBuffer(within), session -> 200)) {
                    assertThat(WebTransportServer.checkSocketBuffers(server.socket(), within)).as("%s", g)
                            .isEqualTo(within);
                }
                assertThat(warnings).as("asked %d, within net.core.rmem_max %d", within, rmem).isEmpty();

                int beyond = (int) Math.max(rmem, wmem) + 1024 * 1024;
                try (WebTransportServer server = WebTransportServer.start(g, withBuffer(beyond), session -> 200)) {
                    // the start's own warning
                    assertThat(warnings).as("%s", g).hasSize(1);
                    assertThat(warnings.get(0)).contains("quarkus.socketio.webtransport.socket-buffer",
                            "net.core.rmem_max", String.valueOf(beyond), String.valueOf(rmem));
                    assertThat((long) WebTransportServer.checkSocketBuffers(server.socket(), beyond)).as("%s", g)
                            .isEqualTo(rmem);
                }
            }
        } finally {
            epoll.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    private static WebTransportServer.Settings withBuffer(int bytes) {
        return new WebTransportServer.Settings(settings.host(), 0, settings.certificate(), settings.key(),
                settings.maxStreams(), settings.idleTimeoutMs(), settings.maxHeaderBytes(), bytes);
    }

    /** Whether a client's QUIC connection, whose first destination id is {@code idLength} bytes, opens. */
    private static boolean handshake(QuicServerCodecBuilder codec, int idLength) throws Exception {
        Channel server = new Bootstrap().group(group).channel(NioDatagramChannel.class).handler(codec.build())
                .bind("127.0.0.1", 0).sync().channel();
        Channel client = new Bootstrap().group(group).channel(NioDatagramChannel.class)
                .handler(Http3.newQuicClientCodecBuilder()
                        .sslContext(QuicSslContextBuilder.forClient().trustManager(InsecureTrustManagerFactory.INSTANCE)
                                .applicationProtocols(Http3.supportedApplicationProtocols()).build())
                        // Netty's client takes the first destination id of the length of its own ids
                        .localConnectionIdLength(idLength).maxIdleTimeout(5, TimeUnit.SECONDS).build())
                .bind("127.0.0.1", 0).sync().channel();
        try {
            byte[] id = new byte[idLength];
            ThreadLocalRandom.current().nextBytes(id);
            Future<QuicChannel> connected = QuicChannel.newBootstrap(client).handler(new ChannelInboundHandlerAdapter())
                    .remoteAddress(server.localAddress()).connectionAddress(new QuicConnectionAddress(id)).connect();
            // the client gives up after its idle timeout (5 s) when the server never answers its Initial
            connected.await(10, TimeUnit.SECONDS);
            if (connected.isSuccess()) {
                connected.getNow().close().sync();
                return true;
            }
            System.out.println("handshake failed (" + idLength + "): " + connected.cause());
            return false;
        } finally {
            client.close().sync();
            server.close().sync();
        }
    }
}
