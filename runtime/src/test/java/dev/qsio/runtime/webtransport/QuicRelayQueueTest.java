package dev.qsio.runtime.webtransport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollDomainDatagramChannel;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.util.ReferenceCountUtil;

/**
 * What the primary does with the datagrams of a worker that does not keep up (a herd of reconnecting clients, a busy
 * loop): the kernel queues few datagrams on a Unix datagram socket ({@code net.unix.max_dgram_qlen}, 10 by default), and
 * past them the primary keeps at most {@link QuicRelay.Front#RELAY_QUEUE} bytes for that worker, drops the rest as a
 * full UDP socket would, and passes the other workers' datagrams on meanwhile. Before, they all waited in one queue of
 * the primary without bound: in a herd of 300 Chromium clients, a client's Initial reached its worker 20 s late, long
 * after its attempt had given up, and the clients of the worker that kept up waited behind them.
 */
class QuicRelayQueueTest {

    /** A client's first packet, as Chromium pads it. */
    static final int DATAGRAM = 1250;

    private EventLoopGroup primaryLoop;
    private EventLoopGroup workerLoop;
    private QuicRelay.Front front;
    private Channel stalled;
    private Channel keepingUp;
    private final AtomicInteger toStalled = new AtomicInteger();
    private final AtomicInteger toKeepingUp = new AtomicInteger();

    @BeforeEach
    void start(@TempDir Path dir) throws Exception {
        primaryLoop = new EpollEventLoopGroup(1);
        workerLoop = new EpollEventLoopGroup(1);
        // no worker holds a socket: the primary reads the host's and passes every datagram to the worker it names
        front = QuicRelay.Front.start(primaryLoop, "127.0.0.1", 0, dir, new QuicRelay.Steering() {
            @Override
            public int slot(int named, int hash) {
                return named > 0 ? named : -1;
            }

            @Override
            public List<Integer> holders() {
                return List.of();
            }
        }, QuicRelay.ResetTokens.newKey(), 1, 4 << 20);
        // worker 1 reads nothing until told (its loop is busy), worker 2 reads as it comes
        stalled = worker(dir, 1, toStalled, false);
        keepingUp = worker(dir, 2, toKeepingUp, true);
    }

    private Channel worker(Path dir, int slot, AtomicInteger count, boolean reading) throws InterruptedException {
        return new Bootstrap().group(workerLoop).channel(EpollDomainDatagramChannel.class)
                .option(ChannelOption.AUTO_READ, reading)
                .handler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        count.incrementAndGet();
                        ReferenceCountUtil.release(msg);
                    }
                }).bind(new DomainSocketAddress(QuicRelay.workerSocket(dir, slot).toFile())).sync().channel();
    }

    @AfterEach
    void stop() throws Exception {
        if (stalled != null) {
            stalled.close().sync();
        }
        if (keepingUp != null) {
            keepingUp.close().sync();
        }
        if (front != null) {
            front.close();
        }
        primaryLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        workerLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** A long header whose destination id names {@code slot}, of {@link #DATAGRAM} bytes. */
    static ByteBuffer naming(int slot, int n) {
        ByteBuffer b = ByteBuffer.allocate(DATAGRAM);
        b.put((byte) 0xC0).putInt(1).put((byte) QuicRelay.ID_LENGTH).put((byte) slot).putInt(n);
        return b.position(DATAGRAM).flip();
    }

    /** The datagrams the kernel queues on a Unix datagram socket (its receive queue holds one more). */
    static int kernelQueue() throws java.io.IOException {
        // read as a stream: Files.readString takes /proc's size of 0 at its word, and read "1" of "10" here
        try (java.io.BufferedReader in = Files.newBufferedReader(Path.of("/proc/sys/net/unix/max_dgram_qlen"))) {
            return Integer.parseInt(in.readLine().trim()) + 1;
        }
    }

    /** Sends {@code count} datagrams naming {@code slot}, by 50, each 50 read by the primary before the next. */
    private void send(DatagramChannel client, int slot, int from, int count) throws Exception {
        InetSocketAddress host = new InetSocketAddress("127.0.0.1", front.port());
        for (int i = from; i < from + count; i += 50) {
            long before = front.relayed() + front.relayDropped();
            int n = Math.min(50, from + count - i);
            for (int j = 0; j < n; j++) {
                client.send(naming(slot, i + j), host);
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> front.relayed() + front.relayDropped() == before + n);
        }
    }

    @Test
    void aWorkerThatDoesNotKeepUpHasItsDatagramsDroppedPastItsQueueAndHoldsBackNoOther() throws Exception {
        int kept = QuicRelay.Front.RELAY_QUEUE / DATAGRAM;
        // at most what the primary keeps, the kernel's queue and the datagram that crossed the bound can wait
        int most = kept + kernelQueue() + 1;
        int sent = most + 300;
        try (DatagramChannel client = DatagramChannel.open()) {
            send(client, 1, 0, sent);
            send(client, 2, 0, 20);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(toKeepingUp.get())
                    .as("datagrams that reached the worker that keeps up, while the other reads nothing").isEqualTo(20));
            long dropped = front.relayDropped();
            stalled.config().setAutoRead(true);
            // the kernel's queue of the socket, and what the primary kept past it, reach the worker once it reads
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(toStalled.get())
                    .isEqualTo((int) (front.relayed() - 20)));
            System.out.printf("[relay-queue] %d of %d datagrams reached the worker that read late, %d dropped%n",
                    toStalled.get(), sent, dropped);
            assertThat(toStalled.get()).as("datagrams that waited for the worker that read late")
                    .isGreaterThanOrEqualTo(kept / 2).isLessThanOrEqualTo(most);
            assertThat(dropped).as("datagrams dropped for it").isEqualTo(sent - toStalled.get());
            // the worker reads again: what comes now reaches it
            int before = toStalled.get();
            send(client, 1, sent, 10);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(toStalled.get() - before)
                    .isEqualTo(10));
        }
    }

    @Test
    void aWorkerKeepsAtMostItsQueueForAPrimaryThatDoesNotKeepUp(@TempDir Path other) throws Exception {
        // a primary that reads nothing until told, and a worker that holds no socket of the host: it passes each
        // datagram its codec writes to the primary
        AtomicInteger toPrimary = new AtomicInteger();
        Channel primary = new Bootstrap().group(workerLoop).channel(EpollDomainDatagramChannel.class)
                .option(ChannelOption.AUTO_READ, false)
                .handler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        toPrimary.incrementAndGet();
                        ReferenceCountUtil.release(msg);
                    }
                }).bind(new DomainSocketAddress(QuicRelay.primarySocket(other).toFile())).sync().channel();
        Channel worker = WorkerPort.start(primaryLoop, other, 1, new InetSocketAddress("127.0.0.1", 4433),
                new ChannelInboundHandlerAdapter());
        try {
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> worker.pipeline().get(WorkerPort.class).primaryChannel() != null);
            int kept = QuicRelay.Front.RELAY_QUEUE / DATAGRAM;
            int most = kept + kernelQueue() + 1;
            int sent = most + 300;
            InetSocketAddress client = new InetSocketAddress("127.0.0.1", 50000);
            worker.eventLoop().submit(() -> {
                for (int i = 0; i < sent; i++) {
                    worker.write(new io.netty.channel.socket.DatagramPacket(
                            io.netty.buffer.Unpooled.wrappedBuffer(naming(2, i)), client));
                }
                worker.flush();
            }).sync();
            primary.config().setAutoRead(true);
            // what waited reaches the primary once it reads; nothing more comes
            await().atMost(Duration.ofSeconds(10)).until(() -> toPrimary.get() > 0);
            int[] seen = { -1 };
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).until(() -> {
                boolean same = seen[0] == toPrimary.get();
                seen[0] = toPrimary.get();
                return same && worker.pipeline().get(WorkerPort.class).primaryChannel().isWritable();
            });
            System.out.printf("[relay-queue] %d of %d datagrams a worker passed reached the primary that read late%n",
                    toPrimary.get(), sent);
            assertThat(toPrimary.get()).as("datagrams that waited for the primary that read late")
                    .isGreaterThanOrEqualTo(kept / 2).isLessThanOrEqualTo(most);
            // the primary reads again: what the worker passes now reaches it
            int before = toPrimary.get();
            worker.eventLoop().submit(() -> {
                for (int i = 0; i < 10; i++) {
                    worker.write(new io.netty.channel.socket.DatagramPacket(
                            io.netty.buffer.Unpooled.wrappedBuffer(naming(2, i)), client));
                }
                worker.flush();
            }).sync();
            await().atMost(Duration.ofSeconds(10)).until(() -> toPrimary.get() - before == 10);
        } finally {
            worker.close().sync();
            primary.close().sync();
        }
    }
}
