package dev.qsio.runtime.webtransport;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import org.jboss.logging.Logger;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollDomainDatagramChannel;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollMode;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.unix.DomainDatagramPacket;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.unix.DomainSocketReadMode;
import io.netty.channel.unix.FileDescriptor;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.PromiseNotifier;

/**
 * A worker's QUIC port. Its connections run on a Unix datagram socket of its own, where the primary relays the
 * datagrams it reads ({@link QuicRelay.Front}); and once the primary gives it one of the host's UDP sockets (a
 * descriptor over its socket link, {@link QuicRelay#socketLink}), the worker reads that socket and writes its
 * connections' datagrams on it itself, with no hop through the primary. The kernel spreads the clients over the host's
 * sockets by their address, the same socket for every datagram of a client; a datagram that reaches this worker for a
 * connection of another (its id names another slot) goes to the primary, which relays it to its worker.
 * <p>
 * On the socket link, the worker sends its slot, then an acknowledgement of each socket taken or let go, and the address
 * of each client whose connection it holds (so that the primary can reset them at once if this process dies, {@link
 * QuicRelay.Front#workerGone}); the primary sends descriptors. The primary asks for a socket back with a datagram of
 * the relay ({@link QuicRelay#RELEASE}).
 */
final class WorkerPort extends ChannelDuplexHandler {

    private static final Logger LOG = Logger.getLogger(WorkerPort.class);

    /** The most client addresses remembered as reported to the primary (least recently added first out). */
    private static final int REPORTED_KEPT = 100_000;

    private final Path dir;
    private final int slot;
    private final InetSocketAddress publicAddress;
    private final DomainSocketAddress primary;
    /** This handler's place in the relay channel's pipeline, before the codec. */
    private ChannelHandlerContext relay;
    /** The host's UDP socket this worker reads, when the primary gave it one. */
    private Channel udp;
    /** The link to the primary over which sockets come. */
    private Channel link;
    /**
     * The channel that passes datagrams to the primary, connected to its socket ({@link #connectPrimary}); null when it
     * could not connect (the datagrams then go from the relay's socket to the primary's address, without a bound).
     */
    private Channel toPrimary;
    /** Datagrams for the primary dropped: it did not keep up ({@link QuicRelay.Front#RELAY_QUEUE}). */
    private long dropped;
    private final Set<InetSocketAddress> reported = Collections.newSetFromMap(new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<InetSocketAddress, Boolean> eldest) {
            return size() > REPORTED_KEPT;
        }
    });

    private WorkerPort(Path dir, int slot, InetSocketAddress publicAddress) {
        this.dir = dir;
        this.slot = slot;
        this.publicAddress = publicAddress;
        this.primary = new DomainSocketAddress(QuicRelay.primarySocket(dir).toFile());
    }

    /**
     * The worker's channel for its QUIC connections, with {@code codec} on it: datagrams arrive as from their clients,
     * to {@code publicAddress}. Closing it closes the host's socket it holds and its link.
     */
    static Channel start(EventLoopGroup group, Path dir, int slot, InetSocketAddress publicAddress, ChannelHandler codec)
            throws InterruptedException {
        Path self = QuicRelay.workerSocket(dir, slot);
        self.toFile().delete();
        WorkerPort port = new WorkerPort(dir, slot, publicAddress);
        Channel ch = new Bootstrap().group(group).channel(EpollDomainDatagramChannel.class)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(port, WebTransportServer.batchedWrites(), codec);
                    }
                }).bind(new DomainSocketAddress(self.toFile())).sync().channel();
        ch.eventLoop().execute(() -> {
            port.connectPrimary();
            port.connectLink();
        });
        return ch;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        relay = ctx;
    }

    /**
     * Connects a channel of its own to the primary's socket, to pass datagrams to it: a Unix datagram socket queues few
     * ({@code net.unix.max_dgram_qlen}), and one that sends to an address is told nothing when the primary's queue is
     * full, where a connected one waits for the primary to read. Past {@link QuicRelay.Front#RELAY_QUEUE} bytes waiting,
     * what this worker passes to the primary is dropped, as a full UDP socket would, and QUIC sends it again.
     */
    private void connectPrimary() {
        Channel made = QuicRelay.connected(relay.channel().eventLoop(), primary, new ChannelInboundHandlerAdapter() {
            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                WorkerPort.this.exceptionCaught(ctx, cause);
            }
        });
        if (made == null) {
            return;
        }
        toPrimary = made;
        relay.channel().closeFuture().addListener(x -> made.close());
    }

    /** The channel that passes datagrams to the primary ({@link #connectPrimary}); null when there is none. */
    Channel primaryChannel() {
        return toPrimary;
    }

    /**
     * Passes a datagram to the primary: {@code bytes} for {@code client} (from it when {@code fromClient}), or drops it
     * when more than {@link QuicRelay.Front#RELAY_QUEUE} bytes wait for the primary already.
     */
    private void passToPrimary(InetSocketAddress client, ByteBuf bytes, boolean fromClient, ChannelPromise promise) {
        Channel to = toPrimary;
        if (to == null || !to.isActive()) {
            relay.write(new DomainDatagramPacket(QuicRelay.withAddress(relay.channel(), client, bytes, fromClient),
                    primary), promise);
        } else if (!to.isWritable()) {
            bytes.release();
            if (++dropped % 1000 == 1) {
                LOG.debugf("worker %d: datagrams for the primary dropped, it does not keep up (%d so far)", slot,
                        dropped);
            }
            promise.trySuccess();
        } else {
            send(to, QuicRelay.withAddress(to, client, bytes, fromClient), promise);
        }
    }

    /** Writes {@code msg} on {@code ch}, {@code promise} told of the outcome (a void one: nothing to tell). */
    private static void send(Channel ch, Object msg, ChannelPromise promise) {
        if (promise.isVoid()) {
            ch.write(msg, ch.voidPromise());
        } else {
            ch.write(msg).addListener(new PromiseNotifier<>(promise));
        }
    }

    /** Sends what was passed to the primary in this turn. */
    private void flushToPrimary() {
        Channel to = toPrimary;
        if (to != null) {
            to.flush();
        }
        relay.flush();
    }

    // ---- the socket link

    /** Opens the link to the primary; without it (a primary that gives no sockets), every datagram is relayed. */
    private void connectLink() {
        Path path = QuicRelay.socketLink(dir);
        if (!path.toFile().exists()) {
            return;
        }
        new Bootstrap().group(relay.channel().eventLoop()).channel(EpollDomainSocketChannel.class)
                .option(EpollChannelOption.DOMAIN_SOCKET_READ_MODE, DomainSocketReadMode.FILE_DESCRIPTORS)
                // one descriptor a read; level-triggered so that none waits in the socket for the next to arrive
                .option(EpollChannelOption.EPOLL_MODE, EpollMode.LEVEL_TRIGGERED)
                .handler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelActive(ChannelHandlerContext ctx) {
                        ctx.writeAndFlush(ctx.alloc().buffer(2).writeByte(QuicRelay.LINK_SLOT).writeByte(slot));
                    }

                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        if (msg instanceof FileDescriptor fd) {
                            take(fd);
                        } else {
                            ReferenceCountUtil.release(msg);
                        }
                    }

                    @Override
                    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                        LOG.debugf("the QUIC socket link to the primary failed: %s", cause.getMessage());
                        ctx.close();
                    }
                }).connect(new DomainSocketAddress(path.toFile())).addListener(f -> {
                    if (f.isSuccess()) {
                        Channel c = ((io.netty.channel.ChannelFuture) f).channel();
                        if (!relay.channel().isOpen()) {
                            c.close();
                            return;
                        }
                        link = c;
                        relay.channel().closeFuture().addListener(x -> c.close());
                    } else {
                        LOG.debugf("no QUIC socket link to the primary (every datagram is relayed): %s",
                                f.cause().getMessage());
                    }
                });
    }

    /** The primary gives this worker one of the host's UDP sockets: it reads it from now on. */
    private void take(FileDescriptor fd) {
        if (udp != null) {
            closeSocket();
        }
        EpollDatagramChannel socket;
        try {
            socket = new EpollDatagramChannel(fd.intValue());
        } catch (RuntimeException e) {
            LOG.warnf("the primary gave a QUIC socket that cannot be used: %s", e.getMessage());
            try {
                fd.close();
            } catch (java.io.IOException ignored) {
                // nothing more to do
            }
            return;
        }
        WebTransportServer.batchedReads(socket);
        socket.pipeline().addLast(new Reader());
        udp = socket;
        relay.channel().eventLoop().register(socket).addListener(f -> {
            if (f.isSuccess() && udp == socket && relay.channel().isOpen()) {
                acknowledge(QuicRelay.LINK_TAKEN);
                LOG.debugf("worker %d reads the host's UDP socket itself", slot);
            } else {
                socket.close();
                if (udp == socket) {
                    udp = null;
                }
            }
        });
        relay.channel().closeFuture().addListener(x -> socket.close());
    }

    /** The primary asks for the socket back: it reads it again, and relays this worker's datagrams as before. */
    private void release() {
        if (udp != null) {
            closeSocket();
            udp = null;
        }
        acknowledge(QuicRelay.LINK_RELEASED);
    }

    /**
     * Closes the host's socket this worker held, once what the codec wrote to it is sent: those packets wait for the
     * flush held back until the loop's task ends ({@link WebTransportServer#batchedWrites}), and a channel that closes
     * drops what it was not asked to flush.
     */
    private void closeSocket() {
        udp.flush();
        udp.close();
    }

    private void acknowledge(int what) {
        if (link != null && link.isActive()) {
            link.writeAndFlush(link.alloc().buffer(1).writeByte(what));
        }
    }

    // ---- datagrams

    /** What the host's socket reads: this worker's, and a client's first packets, to the codec; the rest to the primary. */
    private final class Reader extends ChannelInboundHandlerAdapter {
        private boolean toCodec;
        private boolean passed;
        private boolean reports;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            DatagramPacket packet = (DatagramPacket) msg;
            ByteBuf content = packet.content();
            int named = QuicRelay.slotOf(content);
            // this worker's connections, and the first packets of a new one (an id the client chose names no worker); a
            // packet of another worker's connection, its Initials after that worker's first answer included, goes to
            // the primary, which passes it to that worker
            if (named == slot || (named < 0 && QuicRelay.opensConnection(content))) {
                // a client's first datagram that names this worker (after its Retry, or of its connection) tells the
                // primary where its client is
                if (named == slot && link != null && reported.add(packet.sender())) {
                    link.write(QuicRelay.addressReport(link, packet.sender()), link.voidPromise());
                    reports = true;
                }
                relay.fireChannelRead(new DatagramPacket(content, publicAddress, packet.sender()));
                toCodec = true;
            } else {
                passToPrimary(packet.sender(), content, true, relay.voidPromise());
                passed = true;
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            if (toCodec) {
                toCodec = false;
                relay.fireChannelReadComplete();
            }
            if (passed) {
                passed = false;
                flushToPrimary();
            }
            if (reports) {
                reports = false;
                link.flush();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            LOG.debugf("the host's UDP socket failed in worker %d: %s", slot, cause.getMessage());
        }
    }

    /** A datagram the primary relays, or its request for the socket back. */
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf in = ((DomainDatagramPacket) msg).content();
        if (QuicRelay.isRelease(in)) {
            ReferenceCountUtil.release(msg);
            release();
            return;
        }
        QuicRelay.unwrap(msg, (client, bytes, fromClient) -> ctx.fireChannelRead(new DatagramPacket(bytes, publicAddress, client)));
    }

    /**
     * A datagram this port passed to the primary and the kernel refused (the primary is gone, or its socket is full):
     * it is dropped, as a datagram may be, and QUIC sends again what matters. Those writes carry no promise (one a
     * datagram would cost), so the failure comes here first; before, it went on to the end of the pipeline, where
     * Netty warned of it once for each datagram. Any other failure goes on.
     */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof java.io.IOException) {
            LOG.debugf("worker %d: a datagram for the primary dropped: %s", slot, cause.getMessage());
            return;
        }
        ctx.fireExceptionCaught(cause);
    }

    /** The codec's datagrams: on the host's socket when this worker holds one, else through the primary. */
    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof DatagramPacket p) {
            Channel socket = udp;
            if (socket != null && socket.isActive()) {
                send(socket, p, promise);
            } else {
                passToPrimary(p.recipient(), p.content(), false, promise);
            }
        } else {
            ctx.write(msg, promise);
        }
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
        Channel socket = udp;
        if (socket != null) {
            socket.flush();
        }
        Channel to = toPrimary;
        if (to != null) {
            to.flush();
        }
        ctx.flush();
    }
}
