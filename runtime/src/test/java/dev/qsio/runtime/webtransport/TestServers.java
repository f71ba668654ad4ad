package dev.qsio.runtime.webtransport;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.incubator.codec.quic.QuicStreamChannel;
import io.netty.util.ReferenceCountUtil;

/** What the tests of this package's servers share: a self-signed certificate and the settings of a server on it. */
final class TestServers {

    private TestServers() {
    }

    /**
     * A fresh ECDSA certificate for {@code localhost} in {@code dir} (openssl), and the settings of a server on a free
     * port of 127.0.0.1 with it: 4 streams, {@code idleTimeoutMs}, 16 KB of headers, 1 MB socket buffers.
     */
    static WebTransportServer.Settings settings(Path dir, long idleTimeoutMs) throws Exception {
        Process p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", "key.pem", "-out", "cert.pem", "-days", "2", "-subj",
                "/CN=localhost").directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0).as("openssl: " + output).isTrue();
        assertThat(Files.isRegularFile(dir.resolve("key.pem"))).isTrue();
        return new WebTransportServer.Settings("127.0.0.1", 0, new File(dir.resolve("cert.pem").toString()),
                new File(dir.resolve("key.pem").toString()), 4, idleTimeoutMs, 16 * 1024, 1024 * 1024);
    }

    /** A server's stream handler that drops what its streams read, and adds each stream to {@code streams} at its first read. */
    static ChannelInitializer<QuicStreamChannel> recordingStreams(List<QuicStreamChannel> streams) {
        return new ChannelInitializer<QuicStreamChannel>() {
            @Override
            protected void initChannel(QuicStreamChannel stream) {
                stream.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        ReferenceCountUtil.release(msg);
                        if (!streams.contains(stream)) {
                            streams.add(stream);
                        }
                    }
                });
            }
        };
    }
}
