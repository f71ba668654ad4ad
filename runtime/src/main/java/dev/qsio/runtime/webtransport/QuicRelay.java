package dev.qsio.runtime.webtransport;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.jboss.logging.Logger;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
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
import io.netty.incubator.codec.quic.QuicResetTokenGenerator;
import io.netty.util.ReferenceCountUtil;

/**
 * QUIC for the workers of a host, which share its UDP port as they share its TCP port: through the primary. The
 * primary holds the port ({@link Front}); each worker runs its QUIC connections on a Unix datagram socket of its own
 * ({@link #workerChannel}). Every connection id a worker issues starts with its slot ({@link SlotIds}), so the primary
 * reads, in each datagram's header (never encrypted), which worker holds its connection, and passes it there with the
 * client's address; a client's first packets, whose id the client chose, go to a worker drawn from the id, the same
 * for every packet of that id. Workers write their datagrams back through the primary, which sends them from the port.
 * A worker's death touches only its connections: the others' ids name the others. Its clients are told at once: a
 * datagram of an established connection (a short header) whose id names no live worker is answered with a stateless
 * reset (RFC 9000, 10.3), whose token the primary computes as the worker did ({@link ResetTokens}, keyed by a secret of
 * the host that the primary gives its workers, {@link #ENV_RESET_KEY}); the client closes that connection and
 * reconnects, as a WebSocket client does when its TCP connection is reset. The primary does not wait for a client that
 * sends nothing: it remembers the address of each client of each worker, and resets them all as soon as the worker's
 * process is gone ({@link Front#workerGone}).
 * <p>
 * Between the primary and a worker, a datagram is the client's address (family, address, port) then its bytes.
 */
public final class QuicRelay {

    private static final Logger LOG = Logger.getLogger(QuicRelay.class);

    /** The directory of the relay's sockets, which the primary gives its workers. */
    public static final String ENV_DIR = "QSIO_QUIC_RELAY";
    /** The worker's slot, as the primary numbers its workers (1 to 255). */
    public static final String ENV_SLOT = "QSIO_BUS_SLOT";
    /** The key of the host's stateless reset tokens (base64), which the primary gives its workers. */
    public static final String ENV_RESET_KEY = "QSIO_QUIC_RESET_KEY";
    /**
     * The length of the connection ids a worker issues: its slot, then 11 bytes of a keyed hash. QUIC allows 20, but
     * with ids of 20 bytes and the worker's stateless reset token, quiche refused every connection of Netty's QUIC client
     * to a worker ({@code quiche_accept} failed after the Retry, silently), though Chromium's opened: after a Retry a
     * server's transport parameters carry three ids (the client's first destination id, the Retry's id and its own
     * first id), and quiche writes them into a small fixed buffer. With 12, a client's first id of any length QUIC
     * allows is accepted ({@code WebTransportServerTest}).
     */
    static final int ID_LENGTH = 12;

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

    /** The reset tokens of the host, as the primary keyed them for this worker; null when it gave none. */
    static ResetTokens resetTokensFromEnvironment() {
        String key = System.getenv(ENV_RESET_KEY);
        return key == null ? null : new ResetTokens(Base64.getDecoder().decode(key));
    }

    /**
     * The stateless reset tokens of a host's workers: one for each worker process (its slot), the first 16 bytes of
     * HMAC-SHA256 of the slot under the host's key, so that the primary knows the token of any worker of its host without
     * asking it (the worker is gone when the primary needs it). A worker gives its token to each of its connections
     * in its transport parameters ({@code stateless_reset_token}: the codec's one setting for every connection, the only
     * way Netty's QUIC gives one for a connection's first id) and with any further id it issues (every id names its
     * slot in its first byte). A client of a worker learns that worker's token; with it, a party that can also make its
     * datagrams seem to come from the host's address and port, to another client's address and port, could end that
     * client's connection (webtransport.adoc, Limits); a new worker process has a new token.
     */
    public static final class ResetTokens implements QuicResetTokenGenerator {
        static final int TOKEN_LENGTH = 16;
        private final SecretKeySpec key;

        ResetTokens(byte[] key) {
            this.key = new SecretKeySpec(key, "HmacSHA256");
        }

        /** A new random key of 32 bytes, base64 (the primary's, for its workers' environment). */
        public static String newKey() {
            byte[] key = new byte[32];
            new SecureRandom().nextBytes(key);
            return Base64.getEncoder().encodeToString(key);
        }

        /** The token of the worker in {@code slot}. */
        byte[] forSlot(int slot) {
            try {
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(key);
                mac.update("qsio-quic-reset-".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                mac.update((byte) slot);
                return Arrays.copyOf(mac.doFinal(), TOKEN_LENGTH);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("HmacSHA256 is missing from this JDK", e);
            }
        }

        /** The token of a further id a worker issues: its worker's, which the id's first byte names. */
        @Override
        public ByteBuffer newResetToken(ByteBuffer cid) {
            return ByteBuffer.wrap(forSlot(cid.get(cid.position()) & 0xff));
        }

        /**
         * A stateless reset from the worker in {@code slot}, for a datagram of {@code length} bytes: a short header's
         * first byte (fixed bit set, the rest random), unpredictable bytes, then the worker's token; one byte shorter
         * than the datagram up to 43 bytes (so that two endpoints cannot answer each other's resets forever), 42 bytes
         * past that. Null when the datagram is too short to be answered (a reset is at least 21 bytes).
         */
        byte[] reset(int slot, int length) {
            int size = Math.min(length - 1, 42);
            if (size < 5 + TOKEN_LENGTH) {
                return null;
            }
            byte[] packet = new byte[size];
            ThreadLocalRandom.current().nextBytes(packet);
            packet[0] = (byte) (0x40 | (packet[0] & 0x3f));
            System.arraycopy(forSlot(slot), 0, packet, size - TOKEN_LENGTH, TOKEN_LENGTH);
            return packet;
        }
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

    /** Whether a datagram is a short-header packet (an established connection's) that carries one of our ids. */
    static boolean isShortHeader(ByteBuf datagram) {
        return datagram.readableBytes() > ID_LENGTH && (datagram.getByte(datagram.readerIndex()) & 0xc0) == 0x40;
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
        /** The most client addresses kept for one worker (least recently added first out). */
        static final int CLIENTS_KEPT = 100_000;
        private final Channel port;
        private final Channel back;
        private final ResetTokens tokens;
        /** The stateless resets sent for connections of workers that are gone. */
        private final AtomicLong resets;
        /**
         * By worker slot: the addresses of its clients' established connections.
         * When the worker dies, each is sent a stateless reset at once: a client that sends nothing (an idle session)
         * would otherwise learn of the death only at its heartbeat's timeout. Used on the port's event loop only.
         */
        private final Map<Integer, Set<InetSocketAddress>> clients;

        private Front(Channel port, Channel back, ResetTokens tokens, AtomicLong resets,
                Map<Integer, Set<InetSocketAddress>> clients) {
            this.port = port;
            this.back = back;
            this.tokens = tokens;
            this.resets = resets;
            this.clients = clients;
        }

        /**
         * A worker's process is gone: every client of its connections known here gets a stateless reset now, so
         * that it reconnects (to another worker) at once.
         */
        public void workerGone(int slot) {
            port.eventLoop().execute(() -> {
                Set<InetSocketAddress> of = clients.remove(slot);
                if (of == null || of.isEmpty()) {
                    return;
                }
                for (InetSocketAddress client : of) {
                    byte[] reset = tokens.reset(slot, 43);
                    port.write(new DatagramPacket(Unpooled.wrappedBuffer(reset), client), port.voidPromise());
                }
                port.flush();
                resets.addAndGet(of.size());
                LOG.debugf("QUIC: stateless resets sent to the %d clients of worker %d, which is gone", of.size(), slot);
            });
        }

        /**
         * Binds the host's UDP port; the workers' connection ids carry reset tokens keyed by {@code resetKey}
         * ({@link ResetTokens#newKey()}, given to them as {@link #ENV_RESET_KEY}).
         */
        public static Front start(EventLoopGroup group, String host, int udpPort, Path dir, Steering steer,
                String resetKey) throws InterruptedException {
            ResetTokens tokens = new ResetTokens(Base64.getDecoder().decode(resetKey));
            AtomicLong resets = new AtomicLong();
            Map<Integer, Set<InetSocketAddress>> clients = new HashMap<>();
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
                                if (isShortHeader(content)) {
                                    // a connection of a worker that is gone: its client is told now, not at its
                                    // idle timeout
                                    byte[] reset = tokens.reset(slotOf(content), content.readableBytes());
                                    if (reset != null) {
                                        resets.incrementAndGet();
                                        ctx.write(new DatagramPacket(Unpooled.wrappedBuffer(reset), packet.sender()),
                                                ctx.voidPromise());
                                    }
                                }
                                packet.release();
                                return;
                            }
                            if (isShortHeader(content)) {
                                remember(clients, slot, packet.sender());
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
                            ctx.flush();
                        }
                    }).bind(host, udpPort).sync().channel();
            portChannel[0] = port;
            return new Front(port, back, tokens, resets, clients);
        }

        /** Notes the address of a client of the worker in {@code slot}. */
        private static void remember(Map<Integer, Set<InetSocketAddress>> clients, int slot, InetSocketAddress sender) {
            clients.computeIfAbsent(slot, k -> Collections.newSetFromMap(new LinkedHashMap<>() {
                @Override
                protected boolean removeEldestEntry(Map.Entry<InetSocketAddress, Boolean> eldest) {
                    return size() > CLIENTS_KEPT;
                }
            })).add(sender);
        }

        /** The stateless resets sent so far (datagrams of connections whose worker is gone). */
        public long resets() {
            return resets.get();
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
