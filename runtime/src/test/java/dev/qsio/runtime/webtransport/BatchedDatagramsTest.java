package dev.qsio.runtime.webtransport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.incubator.codec.http3.Http3;
import io.netty.incubator.codec.quic.QuicChannel;
import io.netty.incubator.codec.quic.QuicServerCodecBuilder;
import io.netty.incubator.codec.quic.QuicSslContextBuilder;
import io.netty.incubator.codec.quic.QuicStreamChannel;
import io.netty.incubator.codec.quic.QuicStreamType;
import io.netty.util.ReferenceCountUtil;

/**
 * The listener's socket batches its datagrams: the QUIC codec's flushes outside a read (a broadcast's, one per
 * connection) are held back until the event loop's task ends, so that the packets of many connections leave together
 * (one {@code sendmmsg} on epoll), and an epoll socket reads many datagrams with each call ({@code recvmmsg}).
 */
class BatchedDatagramsTest {

    private static WebTransportServer.Settings settings;
    private static NioEventLoopGroup clients;

    @BeforeAll
    static void certificate(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        settings = TestServers.settings(dir, 10_000);
        clients = new NioEventLoopGroup(1);
    }

    @AfterAll
    static void stop() {
        clients.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /**
     * 64 connections each get 2,000 bytes on their stream, written and flushed one after the other in one task of the
     * server's loop (as a broadcast to local sessions is): no flush reaches the socket during the task, every client
     * gets its bytes (the flush held back happened after it), and the socket stays writable while it holds them.
     * Without the batching, each connection's flush went to the socket: 64 system calls.
     */
    @ParameterizedTest
    @ValueSource(strings = { "nio", "epoll" })
    void aBroadcastsPacketsLeaveTogetherAfterItsTask(String transport) throws Exception {
        EventLoopGroup group = transport.equals("epoll") ? new EpollEventLoopGroup(1) : new NioEventLoopGroup(1);
        int connections = 64;
        List<QuicStreamChannel> serverStreams = new CopyOnWriteArrayList<>();
        List<Channel> opened = new ArrayList<>();
        QuicServerCodecBuilder builder = WebTransportServer.codec(settings, session -> 200)
                .handler(new ChannelInitializer<QuicChannel>() {
                    @Override
                    protected void initChannel(QuicChannel connection) {
                        // the connection's handlers: none but its streams'
                    }
                })
                .streamHandler(TestServers.recordingStreams(serverStreams));
        Channel server = WebTransportServer.bind(group, settings, builder.build());
        AtomicInteger flushes = new AtomicInteger();
        AtomicInteger datagrams = new AtomicInteger();
        server.pipeline().addFirst(new ChannelOutboundHandlerAdapter() {
            @Override
            public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                datagrams.incrementAndGet();
                ctx.write(msg, promise);
            }

            @Override
            public void flush(ChannelHandlerContext ctx) {
                flushes.incrementAndGet();
                ctx.flush();
            }
        });
        AtomicInteger writabilityChanges = new AtomicInteger();
        server.pipeline().addFirst(new ChannelInboundHandlerAdapter() {
            @Override
            public void channelWritabilityChanged(ChannelHandlerContext ctx) {
                writabilityChanges.incrementAndGet();
                ctx.fireChannelWritabilityChanged();
            }
        });
        CountDownLatch received = new CountDownLatch(connections);
        try {
            for (int i = 0; i < connections; i++) {
                Channel client = new Bootstrap().group(clients).channel(NioDatagramChannel.class)
                        .handler(Http3.newQuicClientCodecBuilder()
                                .sslContext(QuicSslContextBuilder.forClient()
                                        .trustManager(InsecureTrustManagerFactory.INSTANCE)
                                        .applicationProtocols(Http3.supportedApplicationProtocols()).build())
                                .maxIdleTimeout(20, TimeUnit.SECONDS).initialMaxData(1 << 20)
                                .initialMaxStreamDataBidirectionalLocal(1 << 20).build())
                        .bind("127.0.0.1", 0).sync().channel();
                opened.add(client);
                QuicChannel connection = QuicChannel.newBootstrap(client).handler(new ChannelInboundHandlerAdapter())
                        .remoteAddress(server.localAddress()).connect().get(20, TimeUnit.SECONDS);
                AtomicInteger got = new AtomicInteger();
                QuicStreamChannel stream = connection.createStream(QuicStreamType.BIDIRECTIONAL,
                        new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                // the broadcast's 2,000 bytes, in one read or several
                                int bytes = ((ByteBuf) msg).readableBytes();
                                ReferenceCountUtil.release(msg);
                                if (got.addAndGet(bytes) == 2_000) {
                                    received.countDown();
                                }
                            }
                        }).get(20, TimeUnit.SECONDS);
                stream.writeAndFlush(Unpooled.wrappedBuffer(new byte[] { 1 })).sync();
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> serverStreams.size() == connections);

            int[] during = server.eventLoop().submit(() -> {
                int flushesBefore = flushes.get();
                int datagramsBefore = datagrams.get();
                for (QuicStreamChannel stream : serverStreams) {
                    stream.writeAndFlush(Unpooled.wrappedBuffer(new byte[2_000]));
                }
                return new int[] { flushes.get() - flushesBefore, datagrams.get() - datagramsBefore };
            }).get(10, TimeUnit.SECONDS);

            assertThat(during[1]).as("the packets the codec wrote in the task, one connection's at least each")
                    .isGreaterThanOrEqualTo(connections);
            assertThat(during[0]).as("the flushes that reached the %s socket during the task", transport).isZero();
            assertThat(received.await(20, TimeUnit.SECONDS)).as("every client got its 2,000 bytes: %d missing",
                    received.getCount()).isTrue();
            // 128 KB held back until the flush: the socket stayed writable (on each return to writable, the codec
            // would try to send on every one of its connections)
            assertThat(writabilityChanges.get()).as("the socket's writability changes").isZero();
        } finally {
            for (Channel c : opened) {
                c.close().sync();
            }
            server.close().sync();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    /**
     * 50 datagrams wait in an epoll socket: its first read takes more of them than the 16 a read of one datagram a call
     * stops at (Netty reads at most 16 messages before it yields), each whole and in order. A JDK socket cannot read in
     * batches and is left as it is.
     */
    @Test
    void anEpollSocketReadsManyDatagramsWithEachCall() throws Exception {
        EventLoopGroup group = new EpollEventLoopGroup(1);
        List<byte[]> read = new CopyOnWriteArrayList<>();
        AtomicInteger atFirstCompletion = new AtomicInteger(-1);
        try {
            Channel socket = new Bootstrap().group(group).channel(EpollDatagramChannel.class)
                    .handler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.config().setAutoRead(false);
                            assertThat(WebTransportServer.batchedReads(ch)).isTrue();
                            ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                                @Override
                                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                    ByteBuf content = ((io.netty.channel.socket.DatagramPacket) msg).content();
                                    read.add(ByteBufUtil.getBytes(content));
                                    ReferenceCountUtil.release(msg);
                                }

                                @Override
                                public void channelReadComplete(ChannelHandlerContext ctx) {
                                    atFirstCompletion.compareAndSet(-1, read.size());
                                }
                            });
                        }
                    }).bind("127.0.0.1", 0).sync().channel();
            InetSocketAddress to = (InetSocketAddress) socket.localAddress();
            try (DatagramSocket sender = new DatagramSocket()) {
                for (int i = 0; i < 50; i++) {
                    // a datagram of the size of a QUIC packet, filled with its index (50 of them fit in the
                    // kernel's default receive buffer, 208 KB, with its bookkeeping)
                    byte[] bytes = new byte[1200 + i];
                    java.util.Arrays.fill(bytes, (byte) i);
                    sender.send(new DatagramPacket(bytes, bytes.length, to));
                }
            }
            socket.config().setAutoRead(true);
            await().atMost(Duration.ofSeconds(10)).until(() -> read.size() == 50);
            assertThat(atFirstCompletion.get()).as("datagrams of the first read").isGreaterThan(16);
            for (int i = 0; i < 50; i++) {
                assertThat(read.get(i)).as("datagram %d", i).hasSize(1200 + i).containsOnly((byte) i);
            }
            socket.close().sync();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
        Channel jdk = new NioDatagramChannel();
        assertThat(WebTransportServer.batchedReads(jdk)).as("a JDK socket").isFalse();
        jdk.unsafe().closeForcibly();
    }
}
