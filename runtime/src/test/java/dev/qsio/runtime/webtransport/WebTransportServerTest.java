package dev.qsio.runtime.webtransport;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
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
        Process p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", "key.pem", "-out", "cert.pem", "-days", "2", "-subj",
                "/CN=localhost").directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0).as("openssl: " + output).isTrue();
        assertThat(Files.isRegularFile(dir.resolve("key.pem"))).isTrue();
        settings = new WebTransportServer.Settings("127.0.0.1", 0, new File(dir.resolve("cert.pem").toString()),
                new File(dir.resolve("key.pem").toString()), 4, 10_000, 16 * 1024);
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
