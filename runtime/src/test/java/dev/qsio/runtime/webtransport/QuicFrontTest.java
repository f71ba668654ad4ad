package dev.qsio.runtime.webtransport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.incubator.codec.http3.Http3;
import io.netty.incubator.codec.quic.QuicChannel;
import io.netty.incubator.codec.quic.QuicServerCodecBuilder;
import io.netty.incubator.codec.quic.QuicStreamChannel;
import io.netty.incubator.codec.quic.QuicStreamType;
import io.netty.incubator.codec.quic.QuicSslContextBuilder;
import io.netty.util.concurrent.Future;

/**
 * The host's UDP port shared by two workers in this process, as a primary and its workers share it: each worker is given
 * one of the port's sockets and serves the QUIC connections that reach it with no datagram through the primary; a
 * worker whose socket is asked back, or whose link closes (its process died), leaves it to the primary, which passes
 * the datagrams of that socket's clients to the workers of their connections. The clients are Netty's QUIC client, a
 * UDP socket each (the kernel spreads them over the sockets by their address).
 */
class QuicFrontTest {

    private static WebTransportServer.Settings settings;
    private static final String KEY = QuicRelay.ResetTokens.newKey();

    private EpollEventLoopGroup group;
    private NioEventLoopGroup clients;
    private QuicRelay.Front front;
    /** The workers that take new connections, and those given a socket (the same, but in the first case). */
    private final List<Integer> taking = new CopyOnWriteArrayList<>();
    private final List<Integer> holders = new CopyOnWriteArrayList<>();
    /** The client sockets that received a stateless reset, by the slot whose token it carries. */
    private final java.util.Map<Integer, java.util.Set<Channel>> resetsReceived = new java.util.concurrent.ConcurrentHashMap<>();
    private final QuicRelay.ResetTokens tokens = new QuicRelay.ResetTokens(java.util.Base64.getDecoder().decode(KEY));
    private final List<Integer> live = new CopyOnWriteArrayList<>();
    private final AtomicInteger[] served = { new AtomicInteger(), new AtomicInteger(), new AtomicInteger() };
    private final Channel[] workers = new Channel[3];
    /** By worker: the client addresses of its connections. */
    @SuppressWarnings("unchecked")
    private final java.util.Set<java.net.SocketAddress>[] clientsOf = new java.util.Set[] {
            java.util.concurrent.ConcurrentHashMap.newKeySet(), java.util.concurrent.ConcurrentHashMap.newKeySet(),
            java.util.concurrent.ConcurrentHashMap.newKeySet() };
    /** By worker: its server side of each connection. */
    @SuppressWarnings("unchecked")
    private final List<QuicChannel>[] connectionsOf = new List[] { new CopyOnWriteArrayList<>(),
            new CopyOnWriteArrayList<>(), new CopyOnWriteArrayList<>() };
    private final List<Channel> opened = new ArrayList<>();
    private Path dir;

    @BeforeAll
    static void certificate(@TempDir Path dir) throws Exception {
        settings = TestServers.settings(dir, 30_000);
    }

    @BeforeEach
    void start(@TempDir Path dir) throws Exception {
        this.dir = dir;
        // one loop for the primary and both workers, as each of those processes has one for its QUIC port
        group = new EpollEventLoopGroup(1);
        clients = new NioEventLoopGroup(1);
        front = QuicRelay.Front.start(group, "127.0.0.1", 0, dir, new QuicRelay.Steering() {
            @Override
            public int slot(int named, int hash) {
                // as the primary steers: a live worker's connection to it, a new one to a worker that takes them
                if (named > 0 && live.contains(named)) {
                    return named;
                }
                List<Integer> open = List.copyOf(taking);
                return hash < 0 || open.isEmpty() ? -1 : open.get(hash % open.size());
            }

            @Override
            public List<Integer> holders() {
                return List.copyOf(holders);
            }
        }, KEY, 2, settings.socketBuffer());
        for (int slot = 1; slot <= 2; slot++) {
            QuicServerCodecBuilder codec = WebTransportServer.codec(settings, session -> 200);
            WebTransportServer.asWorker(codec, slot, new QuicRelay.ResetTokens(
                    java.util.Base64.getDecoder().decode(KEY)));
            AtomicInteger count = served[slot];
            codec.handler(new Counting(count, clientsOf[slot], connectionsOf[slot]));
            workers[slot] = WorkerPort.start(group, dir, slot,
                    new InetSocketAddress("127.0.0.1", front.port()), codec.build());
            live.add(slot);
            taking.add(slot);
        }
    }

    /** Notes the stateless resets a client socket receives: 42 bytes that end with a worker's token. */
    private final class ResetSniffer extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            io.netty.buffer.ByteBuf in = ((io.netty.channel.socket.DatagramPacket) msg).content();
            if (in.readableBytes() == 42) {
                byte[] tail = new byte[16];
                in.getBytes(in.readerIndex() + 26, tail);
                for (int slot = 1; slot <= 2; slot++) {
                    if (java.util.Arrays.equals(tail, tokens.forSlot(slot))) {
                        resetsReceived.computeIfAbsent(slot, k -> java.util.concurrent.ConcurrentHashMap.newKeySet())
                                .add(ctx.channel());
                    }
                }
            }
            ctx.fireChannelRead(msg);
        }
    }

    /** Counts the connections a worker opens. */
    @io.netty.channel.ChannelHandler.Sharable
    private static final class Counting extends ChannelInboundHandlerAdapter {
        private final AtomicInteger count;
        private final java.util.Set<java.net.SocketAddress> clients;
        private final List<QuicChannel> connections;

        Counting(AtomicInteger count, java.util.Set<java.net.SocketAddress> clients, List<QuicChannel> connections) {
            this.count = count;
            this.clients = clients;
            this.connections = connections;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            clients.add(((QuicChannel) ctx.channel()).remoteSocketAddress());
            connections.add((QuicChannel) ctx.channel());
            count.incrementAndGet();
        }
    }

    @AfterEach
    void stop() throws Exception {
        for (Channel c : opened) {
            c.close().sync();
        }
        for (Channel w : workers) {
            if (w != null) {
                w.close().sync();
            }
        }
        if (front != null) {
            front.close();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        clients.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        assertThat(Files.exists(dir)).isTrue();
    }

    @Test
    void withNoSocketGivenEveryConnectionPassesThroughThePrimary() throws Exception {
        // each socket of the port has the buffers asked (what a worker given it reads and writes through)
        assertThat(front.portSockets()).hasSize(2).allSatisfy(socket -> assertThat(
                WebTransportServer.checkSocketBuffers(socket, settings.socketBuffer())).isEqualTo(settings.socketBuffer()));
        front.reassign();
        assertThat(held()).isZero();
        List<QuicChannel> connections = connect(24);
        assertThat(connections).as("the connections opened").hasSize(24);
        awaitServed(24);
        assertThat(served[1].get()).as("connections of worker 1").isPositive();
        assertThat(served[2].get()).as("connections of worker 2").isPositive();
        // at least the client's two Initials and its Handshake packet of each connection
        assertThat(front.relayed()).as("client datagrams the primary read and passed on").isGreaterThanOrEqualTo(3 * 24);
    }

    /**
     * The primary gone (its relay socket closed, as when it stops before its workers), a worker still reads its socket
     * of the host: a datagram of another worker's connection that reaches it is passed to the primary as always, and
     * the kernel refuses it. That failure stays in the worker's port; it was a warning of Netty's for each datagram
     * ("an exceptionCaught() event ... reached the tail of the pipeline", 130 of them in one 2-worker shutdown under
     * 300 WebTransport clients).
     */
    @Test
    void aDatagramTheWorkerCannotPassToAGonePrimaryDisturbsNothing() throws Exception {
        holders.addAll(List.of(1, 2));
        front.reassign();
        await().atMost(Duration.ofSeconds(10)).until(() -> held() == 2);
        List<Throwable> reachedTheEnd = new CopyOnWriteArrayList<>();
        AtomicInteger flushes = new AtomicInteger();
        for (int slot = 1; slot <= 2; slot++) {
            // what a worker passes to the primary leaves on a channel of its own, connected to the primary's socket
            Channel worker = workers[slot].pipeline().get(WorkerPort.class).primaryChannel();
            assertThat(worker).as("worker %d's channel to the primary", slot).isNotNull();
            worker.eventLoop().submit(() -> {
                worker.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                        reachedTheEnd.add(cause);
                    }
                });
                // next to the socket: each flush of what the worker passes to the primary, once it has been tried
                worker.pipeline().addFirst(new io.netty.channel.ChannelOutboundHandlerAdapter() {
                    @Override
                    public void flush(ChannelHandlerContext ctx) {
                        ctx.flush();
                        flushes.incrementAndGet();
                    }
                });
            }).sync();
        }
        int port = front.port();
        front.close();
        front = null;
        // short headers naming each worker, from one client address: whichever worker's socket the kernel gives that
        // address, one of the two names the other worker
        Channel client = new Bootstrap().group(clients).channel(NioDatagramChannel.class)
                .handler(new ChannelInboundHandlerAdapter()).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        opened.add(client);
        for (int slot = 1; slot <= 2; slot++) {
            byte[] packet = new byte[40];
            packet[0] = 0x40;
            packet[1] = (byte) slot;
            client.writeAndFlush(new io.netty.channel.socket.DatagramPacket(Unpooled.wrappedBuffer(packet),
                    new InetSocketAddress("127.0.0.1", port))).sync();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> flushes.get() > 0);
        for (Channel w : List.of(workers[1], workers[2])) {
            w.eventLoop().submit(() -> {
            }).sync();
        }
        assertThat(reachedTheEnd).as("failures that reached the end of a worker's pipeline").isEmpty();
        assertThat(workers[1].isActive() && workers[2].isActive()).as("the workers' ports").isTrue();
    }

    @Test
    void eachWorkerReadsASocketOfTheHostAndNoDatagramPassesThroughThePrimary() throws Exception {
        holders.addAll(List.of(1, 2));
        front.reassign();
        await().atMost(Duration.ofSeconds(10)).until(() -> held() == 2);
        assertThat(front.sockets()[0]).as("the host's sockets").isEqualTo(2);

        List<QuicChannel> connections = connect(24);
        assertThat(connections).as("the connections opened").hasSize(24);
        awaitServed(24);
        // the kernel spreads 24 client addresses over 2 sockets: both get some (all on one: 2 in 2^24)
        assertThat(served[1].get()).as("connections of worker 1").isPositive();
        assertThat(served[2].get()).as("connections of worker 2").isPositive();
        assertThat(front.relayed()).as("client datagrams the primary read and passed on").isZero();
    }

    /**
     * A worker that writes to each of its connections in one task of its loop (as a broadcast to its sessions does) sends
     * their packets together once the task ends: no flush reaches its socket during the task (one system call for all
     * of them then, instead of one a connection), and every client receives what was sent.
     */
    @Test
    void aWorkersWritesToManyConnectionsLeaveTogetherAfterItsTask() throws Exception {
        List<QuicChannel> open = bothWorkersHoldingASocket(24);
        java.util.Map<java.net.SocketAddress, Long> receivedBefore = received(open);
        AtomicInteger flushes = new AtomicInteger();
        workers[1].pipeline().addFirst(new io.netty.channel.ChannelOutboundHandlerAdapter() {
            @Override
            public void flush(ChannelHandlerContext ctx) {
                flushes.incrementAndGet();
                ctx.flush();
            }
        });
        int during = group.submit(() -> {
            int before = flushes.get();
            sendOnEachConnectionOf(1);
            return flushes.get() - before;
        }).get(10, TimeUnit.SECONDS);
        assertThat(during).as("the flushes that reached worker 1's socket during the task").isZero();
        // through the socket's flush after the task
        awaitEachClientReceivedMore(1, open, receivedBefore);
        assertThat(flushes.get()).as("the flushes after the task").isPositive();
    }

    /**
     * The primary asks a worker's socket back right after the worker wrote to its connections, before the flush held
     * back until the end of the loop's task: the worker sends those packets before it closes the socket. QUIC would
     * send lost ones again after a timeout, but not when they were a session's last (its CLOSE, before the worker
     * exits): none is lost.
     */
    @Test
    void aSocketAskedBackSendsWhatWasWrittenBeforeItCloses() throws Exception {
        List<QuicChannel> open = bothWorkersHoldingASocket(24);
        java.util.Map<java.net.SocketAddress, Long> receivedBefore = received(open);
        group.submit(() -> {
            sendOnEachConnectionOf(1);
            // the primary's request for the socket, read before the loop got to the flush
            workers[1].pipeline().fireChannelRead(new io.netty.channel.unix.DomainDatagramPacket(
                    Unpooled.wrappedBuffer(new byte[] { 0, 'R' }),
                    new io.netty.channel.unix.DomainSocketAddress(dir.resolve("primary").toString())));
        }).get(10, TimeUnit.SECONDS);
        awaitEachClientReceivedMore(1, open, receivedBefore);
        for (QuicChannel c : connectionsOf[1]) {
            assertThat(c.collectStats().sync().getNow().lost()).as("packets worker 1 lost to %s",
                    c.remoteSocketAddress()).isZero();
        }
    }

    @Test
    void aSocketAskedBackIsReadByThePrimaryWhichPassesItsDatagramsToTheirWorker() throws Exception {
        List<QuicChannel> before = bothWorkersHoldingASocket(16);
        assertThat(front.relayed()).isZero();

        // worker 2 stops taking new connections (a rolling restart retires it): its socket comes back to the primary
        holders.remove(Integer.valueOf(2));
        taking.remove(Integer.valueOf(2));
        front.reassign();
        await().atMost(Duration.ofSeconds(10)).until(() -> held() == 1);
        int secondBefore = served[2].get();

        // new clients that reach the socket worker 2 had are passed to worker 1 by the primary (none opens on 2) ...
        List<QuicChannel> after = connect(16);
        assertThat(after).hasSize(16);
        awaitServed(32);
        assertThat(served[2].get()).as("connections opened on worker 2 once its socket was asked back")
                .isEqualTo(secondBefore);
        assertThat(front.relayed()).as("datagrams the primary passed on").isPositive();
        // ... and the connections open before, of both workers, go on: each gets its server's acknowledgement of bytes
        // it sends on a new stream (worker 2's through the primary both ways now)
        for (QuicChannel c : before) {
            assertThat(c.isActive()).isTrue();
            long received = c.collectStats().sync().getNow().recv();
            QuicStreamChannel stream = c.newStreamBootstrap().type(QuicStreamType.BIDIRECTIONAL)
                    .handler(new ChannelInboundHandlerAdapter()).create().sync().getNow();
            stream.writeAndFlush(Unpooled.wrappedBuffer(new byte[] { 1, 2, 3 })).sync();
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> c.collectStats().sync().getNow().recv() > received);
        }
        assertThat(before).allMatch(Channel::isActive);
    }

    @Test
    void aWorkerThatIsGoneLeavesItsSocketToThePrimaryAndItsClientsAreReset() throws Exception {
        List<QuicChannel> before = bothWorkersHoldingASocket(16);
        int ofSecond = served[2].get();
        assertThat(ofSecond).isPositive();

        // worker 2's process is gone: its link closes, and the primary resets its clients
        live.remove(Integer.valueOf(2));
        holders.remove(Integer.valueOf(2));
        taking.remove(Integer.valueOf(2));
        workers[2].close().sync();
        workers[2] = null;
        front.workerGone(2);
        await().atMost(Duration.ofSeconds(10)).until(() -> held() == 1);
        // each client of worker 2 receives a stateless reset with its token (Netty's client, unlike a browser, does not act
        // on it: it finds no connection of the reset's random id), and none of worker 1's clients does
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(resetsReceived.getOrDefault(2,
                java.util.Set.of())).as("client sockets reset with worker 2's token").hasSize(ofSecond));
        assertThat(front.resets()).as("stateless resets sent").isGreaterThanOrEqualTo(ofSecond);
        assertThat(resetsReceived.getOrDefault(1, java.util.Set.of())).isEmpty();
        assertThat(resetsReceived.get(2).stream().map(Channel::localAddress).toList())
                .as("the client addresses reset").containsExactlyInAnyOrderElementsOf(clientsOf[2]);

        // new clients: every one is served by worker 1, those that reach the dead worker's socket through the primary
        int firstBefore = served[1].get();
        List<QuicChannel> after = connect(16);
        assertThat(after).hasSize(16);
        awaitServed(32);
        assertThat(served[1].get() - firstBefore).isEqualTo(16);
    }

    /**
     * Waits until the workers counted {@code total} connections: a client's connection opens when it has the server's
     * Finished, the server's once it has the client's, a moment later.
     */
    private void awaitServed(int total) {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(served[1].get() + served[2].get())
                .as("connections the workers opened").isEqualTo(total));
    }

    /** The packets each client has received so far, by its address. */
    private static java.util.Map<java.net.SocketAddress, Long> received(List<QuicChannel> clients) throws Exception {
        java.util.Map<java.net.SocketAddress, Long> received = new java.util.HashMap<>();
        for (QuicChannel c : clients) {
            received.put(c.localSocketAddress(), c.collectStats().sync().getNow().recv());
        }
        return received;
    }

    /** Worker {@code slot} opens a stream on each of its connections and sends a byte on it (on the workers' loop). */
    private void sendOnEachConnectionOf(int slot) {
        assertThat(connectionsOf[slot]).as("worker %d's connections", slot).isNotEmpty();
        for (QuicChannel c : connectionsOf[slot]) {
            c.createStream(QuicStreamType.UNIDIRECTIONAL, new ChannelInboundHandlerAdapter()).addListener(f -> {
                if (f.isSuccess()) {
                    ((QuicStreamChannel) f.getNow()).writeAndFlush(Unpooled.wrappedBuffer(new byte[] { 7 }));
                }
            });
        }
    }

    /** Waits until each client of worker {@code slot} has received more packets than {@code before} says. */
    private void awaitEachClientReceivedMore(int slot, List<QuicChannel> open,
            java.util.Map<java.net.SocketAddress, Long> before) {
        List<QuicChannel> its = open.stream().filter(c -> clientsOf[slot].contains(c.localSocketAddress())).toList();
        assertThat(its).as("the clients of worker %d", slot).hasSize(connectionsOf[slot].size());
        for (QuicChannel c : its) {
            long was = before.get(c.localSocketAddress());
            await().atMost(Duration.ofSeconds(10)).until(() -> c.collectStats().sync().getNow().recv() > was);
        }
    }

    /** Gives each worker a socket of the port, then opens {@code n} connections, all of them served. */
    private List<QuicChannel> bothWorkersHoldingASocket(int n) throws Exception {
        holders.addAll(List.of(1, 2));
        front.reassign();
        await().atMost(Duration.ofSeconds(10)).until(() -> held() == 2);
        List<QuicChannel> open = connect(n);
        assertThat(open).as("the connections opened").hasSize(n);
        awaitServed(n);
        return open;
    }

    /** How many of the host's sockets a worker holds. */
    private int held() {
        front.reassign();
        return front.sockets()[1];
    }

    /** Opens {@code n} QUIC connections, each from a UDP socket of its own; returns those that opened. */
    private List<QuicChannel> connect(int n) throws Exception {
        List<Future<QuicChannel>> pending = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            io.netty.channel.ChannelHandler codec = Http3.newQuicClientCodecBuilder()
                            .sslContext(QuicSslContextBuilder.forClient()
                                    .trustManager(InsecureTrustManagerFactory.INSTANCE)
                                    .applicationProtocols(Http3.supportedApplicationProtocols()).build())
                            .initialMaxStreamsUnidirectional(10).initialMaxStreamsBidirectional(10)
                            .initialMaxData(1 << 20).initialMaxStreamDataUnidirectional(1 << 16)
                            .maxIdleTimeout(30, TimeUnit.SECONDS).build();
            Channel client = new Bootstrap().group(clients).channel(NioDatagramChannel.class)
                    .handler(new io.netty.channel.ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline().addLast(new ResetSniffer(), codec);
                        }
                    }).bind("127.0.0.1", 0).sync().channel();
            opened.add(client);
            pending.add(QuicChannel.newBootstrap(client).handler(new ChannelInboundHandlerAdapter())
                    .remoteAddress(new InetSocketAddress("127.0.0.1", front.port())).connect());
        }
        List<QuicChannel> open = new ArrayList<>();
        for (Future<QuicChannel> f : pending) {
            f.await(15, TimeUnit.SECONDS);
            if (f.isSuccess()) {
                open.add(f.getNow());
            } else {
                System.out.println("a connection failed: " + f.cause());
            }
        }
        return open;
    }
}
