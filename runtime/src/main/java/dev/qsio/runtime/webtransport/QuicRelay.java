package dev.qsio.runtime.webtransport;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

import org.jboss.logging.Logger;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollDomainDatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.unix.DomainDatagramPacket;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.incubator.codec.quic.QuicConnectionIdGenerator;
import io.netty.util.ReferenceCountUtil;

/**
 * QUIC for the workers of a host, which share its UDP port as they share its TCP port: through the primary. The
 * primary holds the port ({@link Front}); each worker runs its QUIC connections on a Unix datagram socket of its own
 * ({@link #workerChannel}). Every connection id a worker issues starts with its slot ({@link SlotIds}), so the primary
 * reads, in each datagram's header (never encrypted), which worker holds its connection, and passes it there with the
 * client's address; a client's first packets, whose id the client chose, go to a worker drawn from the id, the same
 * for every packet of that id. Workers write their datagrams back through the primary, which sends them from the port.
 * A worker's death touches only its connections: the others' ids name the others.
 * <p>
 * Between the primary and a worker, a datagram is the client's address (family, address, port) then its bytes.
 */
public final class QuicRelay {

    private static final Logger LOG = Logger.getLogger(QuicRelay.class);

    /** The directory of the relay's sockets, which the primary gives its workers. */
    public static final String ENV_DIR = "QSIO_QUIC_RELAY";
    /** The worker's slot, as the primary numbers its workers (1 to 255). */
    public static final String ENV_SLOT = "QSIO_BUS_SLOT";
    /** The length of the connection ids this server issues (QUIC allows 20 at most). */
    static final int ID_LENGTH = 20;

    private QuicRelay() {
    }

    static Path primarySocket(Path dir) {
        return dir.resolve("quic-primary");
    }

    static Path workerSocket(Path dir, int slot) {
        return dir.resolve("quic-" + slot);
    }

    /** The directory and slot this worker was given, or null when it runs alone. */
    static Object[] fromEnvironment() {
        String dir = System.getenv(ENV_DIR);
        String slot = System.getenv(ENV_SLOT);
        return dir == null || slot == null ? null : new Object[] { Path.of(dir), Integer.parseInt(slot) };
    }

    /** Connection ids that start with the worker's slot; the rest is the default generator's. */
    static final class SlotIds implements QuicConnectionIdGenerator {
        private final byte slot;
        private final QuicConnectionIdGenerator inner = QuicConnectionIdGenerator.signGenerator();

        SlotIds(int slot) {
            this.slot = (byte) slot;
        }

        private ByteBuffer marked(ByteBuffer id) {
            ByteBuffer copy = ByteBuffer.allocate(id.remaining());
            copy.put(id.duplicate()).flip();
            copy.put(0, slot);
            return copy;
        }

        @Override
        public ByteBuffer newId(int length) {
            return marked(inner.newId(length));
        }

        @Override
        public ByteBuffer newId(ByteBuffer input, int length) {
            return marked(inner.newId(input, length));
        }

        @Override
        public ByteBuffer newId(ByteBuffer scid, ByteBuffer dcid, int length) {
            return marked(inner.newId(scid, dcid, length));
        }

        @Override
        public int maxConnectionIdLength() {
            return inner.maxConnectionIdLength();
        }

        @Override
        public boolean isIdempotent() {
            return inner.isIdempotent();
        }
    }

    /**
     * The slot a datagram's connection id names, read from its header: the byte after a short header's first, or the
     * first of a long header's destination id (after its version and the id's length); -1 when it has none.
     */
    static int slotOf(ByteBuf datagram) {
        int at = datagram.readerIndex();
        if (datagram.readableBytes() < 2) {
            return -1;
        }
        boolean longHeader = (datagram.getByte(at) & 0x80) != 0;
        if (!longHeader) {
            return datagram.readableBytes() > ID_LENGTH ? datagram.getUnsignedByte(at + 1) : -1;
        }
        if (datagram.readableBytes() < 7) {
            return -1;
        }
        int length = datagram.getUnsignedByte(at + 5);
        return length == 0 || datagram.readableBytes() < 6 + length ? -1 : datagram.getUnsignedByte(at + 6);
    }

    /** A hash of a long header's destination id, to draw a worker for a client's first packets. */
    static int idHash(ByteBuf datagram) {
        int at = datagram.readerIndex();
        if (datagram.readableBytes() < 7 || (datagram.getByte(at) & 0x80) == 0) {
            return -1;
        }
        int length = Math.min(datagram.getUnsignedByte(at + 5), datagram.readableBytes() - 6);
        int h = 1;
        for (int i = 0; i < length; i++) {
            h = 31 * h + datagram.getByte(at + 6 + i);
        }
        return h & 0x7fffffff;
    }

    // ---- the client's address before the bytes

    private static ByteBuf withAddress(Channel ch, InetSocketAddress client, ByteBuf content) {
        byte[] ip = client.getAddress().getAddress();
        ByteBuf header = ch.alloc().buffer(3 + ip.length);
        header.writeByte(ip.length).writeBytes(ip).writeShort(client.getPort());
        CompositeByteBuf both = ch.alloc().compositeBuffer(2);
        both.addComponents(true, header, content);
        return both;
    }

    /**
     * Gives the client's address and the bytes of a datagram between the primary and a worker to {@code then}; one
     * without a valid address is let go. The bytes are a slice of their own: Netty's QUIC codec reads a datagram from
     * its first byte, whatever its reader index.
     */
    private static void unwrap(Object msg, java.util.function.BiConsumer<InetSocketAddress, ByteBuf> then) {
        ByteBuf in = ((DomainDatagramPacket) msg).content();
        InetSocketAddress client = address(in);
        if (client != null) {
            then.accept(client, in.retainedSlice());
        }
        ReferenceCountUtil.release(msg);
    }

    /** Reads the client's address off {@code in}, or null when the header is not one. */
    private static InetSocketAddress address(ByteBuf in) {
        if (in.readableBytes() < 7) {
            return null;
        }
        int length = in.readUnsignedByte();
        if ((length != 4 && length != 16) || in.readableBytes() < length + 2) {
            return null;
        }
        byte[] ip = new byte[length];
        in.readBytes(ip);
        try {
            return new InetSocketAddress(InetAddress.getByAddress(ip), in.readUnsignedShort());
        } catch (UnknownHostException e) {
            return null;
        }
    }

    // ---- the primary

    /**
     * The primary's side: the host's UDP port, and the socket the workers write back to. {@code steer} names the
     * worker of a datagram: it is given the slot the datagram's id names (-1: none) and the id's hash (-1: none), and
     * answers a live worker's slot, or -1 to drop the datagram.
     */
    public static final class Front implements AutoCloseable {
        private final Channel port;
        private final Channel back;

        private Front(Channel port, Channel back) {
            this.port = port;
            this.back = back;
        }

        public static Front start(EventLoopGroup group, String host, int udpPort, Path dir, Steering steer)
                throws InterruptedException {
            EventLoop loop = group.next();
            Path self = primarySocket(dir);
            self.toFile().delete();
            Channel[] portChannel = new Channel[1];
            Channel back = new Bootstrap().group(loop).channel(EpollDomainDatagramChannel.class)
                    .handler(new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelRead(ChannelHandlerContext ctx, Object msg) {
                            // a worker's datagram for its client
                            unwrap(msg, (client, bytes) -> portChannel[0].write(new DatagramPacket(bytes, client),
                                    portChannel[0].voidPromise()));
                        }

                        @Override
                        public void channelReadComplete(ChannelHandlerContext ctx) {
                            portChannel[0].flush();
                        }
                    }).bind(new DomainSocketAddress(self.toFile())).sync().channel();
            Channel port = new Bootstrap().group(loop).channel(EpollDatagramChannel.class)
                    .handler(new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelRead(ChannelHandlerContext ctx, Object msg) {
                            DatagramPacket packet = (DatagramPacket) msg;
                            ByteBuf content = packet.content();
                            int slot = steer.slot(slotOf(content), idHash(content));
                            if (slot < 0) {
                                packet.release();
                                return;
                            }
                            DomainSocketAddress to = new DomainSocketAddress(workerSocket(dir, slot).toFile());
                            back.write(new DomainDatagramPacket(withAddress(back, packet.sender(), content), to))
                                    .addListener(f -> {
                                        if (!f.isSuccess()) {
                                            LOG.debugf("a QUIC datagram for worker %d dropped: %s", slot,
                                                    f.cause().getMessage());
                                        }
                                    });
                        }

                        @Override
                        public void channelReadComplete(ChannelHandlerContext ctx) {
                            back.flush();
                        }
                    }).bind(host, udpPort).sync().channel();
            portChannel[0] = port;
            return new Front(port, back);
        }

        /** The UDP port bound. */
        public int port() {
            return ((InetSocketAddress) port.localAddress()).getPort();
        }

        @Override
        public void close() {
            port.close().syncUninterruptibly();
            back.close().syncUninterruptibly();
        }
    }

    /** Which worker a datagram goes to (see {@link Front#start}). */
    public interface Steering {
        int slot(int named, int hash);
    }

    // ---- a worker

    /**
     * A worker's channel for its QUIC connections: datagrams from the primary arrive as from their clients, to
     * {@code publicAddress}; what the codec writes goes back through the primary.
     */
    static Channel workerChannel(EventLoopGroup group, Path dir, int slot, InetSocketAddress publicAddress,
            io.netty.channel.ChannelHandler codec) throws InterruptedException {
        Path self = workerSocket(dir, slot);
        self.toFile().delete();
        DomainSocketAddress primary = new DomainSocketAddress(primarySocket(dir).toFile());
        return new Bootstrap().group(group).channel(EpollDomainDatagramChannel.class)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new ChannelDuplexHandler() {
                            @Override
                            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                unwrap(msg, (client, bytes) -> ctx.fireChannelRead(
                                        new DatagramPacket(bytes, publicAddress, client)));
                            }

                            @Override
                            public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                                if (msg instanceof DatagramPacket p) {
                                    ctx.write(new DomainDatagramPacket(withAddress(ctx.channel(), p.recipient(),
                                            p.content()), primary), promise);
                                } else {
                                    ctx.write(msg, promise);
                                }

                            }
                        }, codec);
                    }
                }).bind(new DomainSocketAddress(self.toFile())).sync().channel();
    }
}
