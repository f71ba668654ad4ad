package dev.qsio.runtime.webtransport;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.jboss.logging.Logger;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollDomainDatagramChannel;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.unix.DomainDatagramPacket;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.unix.FileDescriptor;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.incubator.codec.quic.QuicConnectionIdGenerator;
import io.netty.incubator.codec.quic.QuicResetTokenGenerator;
import io.netty.util.ReferenceCountUtil;

/**
 * QUIC for the workers of a host, which share its UDP port as they share its TCP port: through the primary. The
 * primary opens the port as several sockets ({@code SO_REUSEPORT}; the kernel keeps each client on one of them by its
 * address) and gives one to each worker that takes new connections, which reads and writes it itself ({@link
 * WorkerPort}); the primary reads the others ({@link Front}). Every connection id a worker issues starts with its slot
 * ({@link SlotIds}), so a datagram's header (never encrypted) names the worker of its connection: one that reaches a
 * socket of another worker, or one of the primary's, is passed to its worker through the primary, over Unix datagram
 * sockets; a client's first packets, whose id the client chose, are taken by the worker whose socket they reach, or
 * when the primary reads that socket, go to a worker drawn from the id, the same for every packet of that id. A
 * worker's death touches only its connections: the others' ids name the others. Its clients are told at once: a
 * datagram of an established connection (a short header) whose id names no live worker is answered with a stateless
 * reset (RFC 9000, 10.3), whose token the primary computes as the worker did ({@link ResetTokens}, keyed by a secret of
 * the host that the primary gives its workers, {@link #ENV_RESET_KEY}); the client closes that connection and
 * reconnects, as a WebSocket client does when its TCP connection is reset. The primary does not wait for a client that
 * sends nothing: it knows the address of each client of each worker (the worker reports those it reads itself), and
 * resets them all as soon as the worker's process is gone ({@link Front#workerGone}).
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
     * first of a long header's destination id (after its version and the id's length) when that id has a worker's
     * length ({@link #ID_LENGTH}); -1 when it has none.
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
        // an id of another length is one the client chose for its first packets: whatever its first byte, it names no
        // worker (else a client's random id could send a new connection to a worker that takes none, a retiring one)
        return length != ID_LENGTH || datagram.readableBytes() < 6 + length ? -1 : datagram.getUnsignedByte(at + 6);
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

    /**
     * Whether a datagram may open a connection: a long header's Initial or 0-RTT packet, whose destination id the
     * client chose (the worker whose socket it reaches takes it).
     */
    static boolean opensConnection(ByteBuf datagram) {
        if (datagram.readableBytes() < 7) {
            return false;
        }
        int first = datagram.getUnsignedByte(datagram.readerIndex());
        int type = (first & 0x30) >> 4;
        return (first & 0x80) != 0 && (type == 0 || type == 1);
    }

    // ---- the socket link (see WorkerPort)

    /** The primary's socket of the workers' links, over which it gives them the host's UDP sockets. */
    static Path socketLink(Path dir) {
        return dir.resolve("quic-sockets");
    }

    /** Worker to primary: its slot (one byte follows). */
    static final int LINK_SLOT = 'S';
    /** Worker to primary: the socket given is read. */
    static final int LINK_TAKEN = 'T';
    /** Worker to primary: the socket is let go. */
    static final int LINK_RELEASED = 'U';
    /** Worker to primary: the address of a client of one of its connections (length, address, port follow). */
    static final int LINK_ADDRESS = 'A';
    /** Primary to worker, on the relay: give the socket back (no address: a length of 0). */
    private static final byte[] RELEASE = { 0, 'R' };

    static ByteBuf addressReport(Channel ch, InetSocketAddress client) {
        byte[] ip = client.getAddress().getAddress();
        return ch.alloc().buffer(4 + ip.length).writeByte(LINK_ADDRESS).writeByte(ip.length).writeBytes(ip)
                .writeShort(client.getPort());
    }

    static boolean isRelease(ByteBuf in) {
        return in.readableBytes() == RELEASE.length && in.getByte(in.readerIndex()) == 0
                && in.getByte(in.readerIndex() + 1) == RELEASE[1];
    }

    // ---- the client's address before the bytes

    /** A datagram's address before its bytes; the bit {@link #FROM_CLIENT} marks one a worker passes on to the primary. */
    static ByteBuf withAddress(Channel ch, InetSocketAddress client, ByteBuf content) {
        return withAddress(ch, client, content, false);
    }

    /**
     * In a datagram between a worker and the primary, the bit of the address's length that marks a client's datagram
     * that reached the worker's socket for another worker's connection: the primary passes it on.
     */
    static final int FROM_CLIENT = 0x80;

    static ByteBuf withAddress(Channel ch, InetSocketAddress client, ByteBuf content, boolean fromClient) {
        byte[] ip = client.getAddress().getAddress();
        ByteBuf header = ch.alloc().buffer(3 + ip.length);
        header.writeByte(ip.length | (fromClient ? FROM_CLIENT : 0)).writeBytes(ip).writeShort(client.getPort());
        CompositeByteBuf both = ch.alloc().compositeBuffer(2);
        both.addComponents(true, header, content);
        return both;
    }

    /**
     * Gives the client's address and the bytes of a datagram between the primary and a worker to {@code then}; one
     * without a valid address is let go. The bytes are a slice of their own: Netty's QUIC codec reads a datagram from
     * its first byte, whatever its reader index.
     */
    static void unwrap(Object msg, Unwrapped then) {
        ByteBuf in = ((DomainDatagramPacket) msg).content();
        boolean fromClient = in.isReadable() && (in.getUnsignedByte(in.readerIndex()) & FROM_CLIENT) != 0;
        InetSocketAddress client = address(in);
        if (client != null) {
            then.accept(client, in.retainedSlice(), fromClient);
        }
        ReferenceCountUtil.release(msg);
    }

    /** A datagram between the primary and a worker, unwrapped. */
    interface Unwrapped {
        void accept(InetSocketAddress client, ByteBuf bytes, boolean fromClient);
    }

    /** Reads the client's address off {@code in}, or null when the header is not one. */
    private static InetSocketAddress address(ByteBuf in) {
        if (in.readableBytes() < 7) {
            return null;
        }
        int length = in.readUnsignedByte() & ~FROM_CLIENT;
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

    /**
     * A channel on {@code loop} that passes datagrams to the Unix datagram socket at {@code to}, connected to it, with
     * {@code failures} to hear of those the socket refuses; null when it cannot connect (no socket there). Connected, it
     * waits for the other side to read when the kernel's queue of that socket is full, where one that sends to an
     * address is always said writable, and retries at every turn of the loop. At most {@link Front#RELAY_QUEUE} bytes
     * wait in it: past them it is not writable, and its callers drop what they would pass. Called on {@code loop}.
     */
    static Channel connected(EventLoop loop, DomainSocketAddress to, io.netty.channel.ChannelHandler failures) {
        EpollDomainDatagramChannel made = new EpollDomainDatagramChannel();
        made.config().setWriteBufferWaterMark(new WriteBufferWaterMark(Front.RELAY_QUEUE / 2, Front.RELAY_QUEUE));
        // nothing comes on it: the other side writes to this side's own socket
        made.config().setAutoRead(false);
        made.pipeline().addLast(failures);
        // on the loop, registering and connecting a Unix socket are done when they return
        ChannelFuture connected = loop.register(made);
        if (connected.isSuccess()) {
            connected = made.connect(to);
        }
        if (!connected.isSuccess()) {
            LOG.debugf("QUIC: no channel to %s: %s", to.path(), connected.cause());
            made.close();
            return null;
        }
        return made;
    }

    // ---- the primary

    /**
     * The primary's side: the host's UDP sockets, all bound to its port ({@code SO_REUSEPORT}, so that the kernel
     * spreads the clients over them by address), the socket the workers write relayed datagrams back to, and the
     * workers' socket links. Each worker that takes new connections is given one of the sockets, which it then reads
     * and writes itself ({@link WorkerPort}); the primary reads the sockets no worker holds, and passes each datagram
     * to the worker of its connection, or for a client's first packets to one that {@code steer} draws. The sockets
     * are opened once, one for each worker the host starts with (more if it grows), and stay open in the primary
     * whatever happens to the workers, so that the kernel keeps each client on the same socket: when a worker dies,
     * the primary reads its socket again (and resets the dead worker's connections), and gives it to the next worker.
     */
    public static final class Front implements AutoCloseable {
        /** The most client addresses kept for one worker (least recently added first out). */
        static final int CLIENTS_KEPT = 100_000;
        private final EventLoop loop;
        private final String host;
        private final Path dir;
        private final Steering steer;
        /** The host's sockets; used on {@link #loop} only, as everything below. */
        private final List<Port> ports = new ArrayList<>();
        private Channel back;
        private Channel links;
        private final ResetTokens tokens;
        /** The stateless resets sent for connections of workers that are gone. */
        private final AtomicLong resets = new AtomicLong();
        /** Datagrams from clients that the primary read and passed to a worker. */
        private final AtomicLong relayed = new AtomicLong();
        /** Datagrams for a worker dropped: its queue was full ({@link #RELAY_QUEUE}), or its socket is gone. */
        private final AtomicLong relayDropped = new AtomicLong();
        /**
         * By worker slot, the channel that passes datagrams to that worker: connected to its socket, so that its queue
         * in the kernel being full makes the channel wait for the worker to read ({@link #toWorker}).
         */
        private final Map<Integer, Channel> toWorkers = new HashMap<>();
        /**
         * By worker slot: the addresses of its clients' established connections (those the primary relays, and those
         * the worker reports). When the worker dies, each is sent a stateless reset at once: a client that sends
         * nothing (an idle session) would otherwise learn of the death only at its heartbeat's timeout.
         */
        private final Map<Integer, Set<InetSocketAddress>> clients = new HashMap<>();
        /** The workers' links, by slot. */
        private final Map<Integer, Link> bySlot = new HashMap<>();
        private ScheduledFuture<?> review;
        /** The receive and send buffers asked for each socket of the port. */
        private final int socketBuffer;

        /** One of the host's sockets, and the worker that holds it (0: none, the primary reads it). */
        private static final class Port {
            final EpollDatagramChannel channel;
            int holder;

            Port(EpollDatagramChannel channel) {
                this.channel = channel;
            }
        }

        /** Where a worker's link stands: a socket given and not yet acknowledged, held, or asked back. */
        private enum Holding {
            NONE,
            GIVEN,
            HELD,
            RELEASING
        }

        private static final class Link {
            final Channel channel;
            int slot = -1;
            Holding holding = Holding.NONE;
            Port port;

            Link(Channel channel) {
                this.channel = channel;
            }
        }

        private Front(EventLoop loop, String host, Path dir, Steering steer, ResetTokens tokens, int socketBuffer) {
            this.loop = loop;
            this.host = host;
            this.dir = dir;
            this.steer = steer;
            this.tokens = tokens;
            this.socketBuffer = socketBuffer;
        }

        /**
         * A worker's process is gone: every client of its connections known here gets a stateless reset now, so
         * that it reconnects (to another worker) at once.
         */
        public void workerGone(int slot) {
            loop.execute(() -> {
                Set<InetSocketAddress> of = clients.remove(slot);
                if (of == null || of.isEmpty()) {
                    return;
                }
                Channel port = ports.get(0).channel;
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
         * Binds the host's UDP port with {@code sockets} sockets; the workers' connection ids carry reset tokens keyed
         * by {@code resetKey} ({@link ResetTokens#newKey()}, given to them as {@link #ENV_RESET_KEY}).
         */
        public static Front start(EventLoopGroup group, String host, int udpPort, Path dir, Steering steer,
                String resetKey, int sockets, int socketBuffer) throws InterruptedException {
            Front front = new Front(group.next(), host, dir, steer,
                    new ResetTokens(Base64.getDecoder().decode(resetKey)), socketBuffer);
            try {
                front.open(udpPort, Math.max(1, sockets));
                // the sockets are alike: one warning for all, when the kernel gave them less than asked
                WebTransportServer.checkSocketBuffers(front.ports.get(0).channel, socketBuffer);
            } catch (InterruptedException | RuntimeException e) {
                front.close();
                throw e;
            }
            return front;
        }

        private void open(int udpPort, int sockets) throws InterruptedException {
            Path self = primarySocket(dir);
            self.toFile().delete();
            back = new Bootstrap().group(loop).channel(EpollDomainDatagramChannel.class)
                    .handler(new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelRead(ChannelHandlerContext ctx, Object msg) {
                            // a worker's datagram for its client, or one of its clients' that reached it
                            unwrap(msg, (client, bytes, fromClient) -> fromWorker(client, bytes, fromClient));
                        }

                        @Override
                        public void channelReadComplete(ChannelHandlerContext ctx) {
                            ports.get(0).channel.flush();
                            flushRelays();
                        }
                    }).bind(new DomainSocketAddress(self.toFile())).sync().channel();
            int port = udpPort;
            for (int i = 0; i < sockets; i++) {
                port = bindPort(port).channel.localAddress().getPort();
            }
            Path linkPath = socketLink(dir);
            linkPath.toFile().delete();
            links = new ServerBootstrap().group(loop, loop).channel(EpollServerDomainSocketChannel.class)
                    .childHandler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline().addLast(new LinkReader(new Link(ch)));
                        }
                    }).bind(new DomainSocketAddress(linkPath.toFile())).sync().channel();
            review = loop.scheduleAtFixedRate(this::reassign, 1, 1, TimeUnit.SECONDS);
        }

        /** Binds one more socket to the port (0: any port, for the first). */
        private Port bindPort(int port) throws InterruptedException {
            Port[] made = new Port[1];
            Channel ch = WebTransportServer.socketBuffers(new Bootstrap(), socketBuffer).group(loop)
                    .channel(EpollDatagramChannel.class)
                    .option(EpollChannelOption.SO_REUSEPORT, true)
                    .handler(new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelRead(ChannelHandlerContext ctx, Object msg) {
                            fromClient(ctx, (DatagramPacket) msg);
                        }

                        @Override
                        public void channelReadComplete(ChannelHandlerContext ctx) {
                            flushRelays();
                            ctx.flush();
                        }
                    }).bind(host, port).sync().channel();
            made[0] = new Port((EpollDatagramChannel) ch);
            ports.add(made[0]);
            return made[0];
        }

        /**
         * The bytes of datagrams that may wait in the primary for one worker, past the kernel's queue of its socket. A
         * Unix datagram socket queues few datagrams ({@code net.unix.max_dgram_qlen}, 10 by default); while a worker
         * cannot keep up (a reconnecting herd, a busy loop), what comes for it is dropped past this many bytes, as a
         * full UDP socket drops it, and its clients send again: before, it waited in the primary without bound (over
         * 20 s in a herd of 300 Chromium clients, whose attempts had given up by then), and every worker's datagrams
         * waited behind it.
         */
        static final int RELAY_QUEUE = 128 * 1024;

        /** A client's datagram read here: to the worker of its connection, or answered for a worker that is gone. */
        private void fromClient(ChannelHandlerContext ctx, DatagramPacket packet) {
            ByteBuf content = packet.content();
            int slot = steer.slot(slotOf(content), idHash(content));
            if (slot < 0) {
                if (isShortHeader(content)) {
                    // a connection of a worker that is gone: its client is told now, not at its idle timeout
                    byte[] reset = tokens.reset(slotOf(content), content.readableBytes());
                    if (reset != null) {
                        resets.incrementAndGet();
                        ctx.write(new DatagramPacket(Unpooled.wrappedBuffer(reset), packet.sender()), ctx.voidPromise());
                    }
                }
                packet.release();
                return;
            }
            if (isShortHeader(content)) {
                remember(slot, packet.sender());
            }
            relay(slot, packet.sender(), content);
        }

        private void relay(int slot, InetSocketAddress client, ByteBuf content) {
            Channel to = toWorker(slot);
            if (to == null || !to.isWritable()) {
                content.release();
                if (relayDropped.incrementAndGet() % 1000 == 1) {
                    LOG.debugf("QUIC: datagrams for worker %d dropped, %s (%d so far)", (Object) slot,
                            to == null ? "its socket is gone" : "it does not keep up", relayDropped.get());
                }
                return;
            }
            relayed.incrementAndGet();
            to.write(withAddress(to, client, content), to.voidPromise());
        }

        /**
         * The channel to the worker in {@code slot} ({@link QuicRelay#connected}), made at the first datagram for it;
         * null when the worker has no socket (not started yet, or gone). Each worker has its own, so that one that does
         * not keep up holds back no other's datagrams.
         */
        private Channel toWorker(int slot) {
            Channel ch = toWorkers.get(slot);
            if (ch != null) {
                return ch;
            }
            Channel made = connected(loop, new DomainSocketAddress(workerSocket(dir, slot).toFile()),
                    new ChannelInboundHandlerAdapter() {
                        @Override
                        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                            // the worker's socket is gone (its process, or a new one bound the path): connected anew
                            // at the next datagram
                            LOG.debugf("QUIC: the relay to worker %d failed: %s", slot, cause.getMessage());
                            ctx.close();
                        }
                    });
            if (made == null) {
                return null;
            }
            toWorkers.put(slot, made);
            made.closeFuture().addListener(f -> toWorkers.remove(slot, made));
            return made;
        }

        /** Sends what was relayed to the workers in this turn. */
        private void flushRelays() {
            for (Channel ch : toWorkers.values()) {
                ch.flush();
            }
        }

        /**
         * A worker's datagram: for its client when it holds no socket; or a client's that reached the worker's socket
         * for another worker's connection (its id names another slot), passed on as if read here.
         */
        private void fromWorker(InetSocketAddress client, ByteBuf bytes, boolean fromClient) {
            Port p = ports.get(0);
            if (fromClient) {
                fromClient(p.channel.pipeline().firstContext(), new DatagramPacket(bytes, null, client));
            } else {
                p.channel.write(new DatagramPacket(bytes, client), p.channel.voidPromise());
            }
        }

        /** Notes the address of a client of the worker in {@code slot}. */
        private void remember(int slot, InetSocketAddress sender) {
            clients.computeIfAbsent(slot, k -> Collections.newSetFromMap(new LinkedHashMap<>() {
                @Override
                protected boolean removeEldestEntry(Map.Entry<InetSocketAddress, Boolean> eldest) {
                    return size() > CLIENTS_KEPT;
                }
            })).add(sender);
        }

        // ---- the sockets given to the workers

        /**
         * Gives a socket to each worker that takes new connections ({@link Steering#holders}) and has none, and asks
         * back those of the others; called when a worker's state changes, and every second.
         */
        public void reassign() {
            if (!loop.inEventLoop()) {
                loop.execute(this::reassign);
                return;
            }
            if (links == null || !links.isOpen()) {
                return;
            }
            List<Integer> holders = steer.holders();
            for (Link l : bySlot.values()) {
                if (l.holding == Holding.HELD && !holders.contains(l.slot)) {
                    l.holding = Holding.RELEASING;
                    // the primary reads it again at once; the worker lets it go when it reads this
                    l.port.channel.config().setAutoRead(true);
                    back.writeAndFlush(new DomainDatagramPacket(Unpooled.wrappedBuffer(RELEASE),
                            new DomainSocketAddress(workerSocket(dir, l.slot).toFile())));
                }
            }
            for (int slot : holders) {
                Link l = bySlot.get(slot);
                if (l == null || l.holding != Holding.NONE || !l.channel.isActive()) {
                    continue;
                }
                Port free = null;
                for (Port p : ports) {
                    if (p.holder == 0) {
                        free = p;
                        break;
                    }
                }
                if (free == null) {
                    try {
                        // more workers than sockets (the host grew): one more socket; the kernel spreads the clients
                        // anew, and those whose datagrams now reach another worker are passed on through here
                        free = bindPort(port());
                    } catch (Exception e) {
                        LOG.debugf("QUIC: no further socket on the port: %s", e.getMessage());
                        return;
                    }
                }
                free.holder = slot;
                free.channel.config().setAutoRead(false);
                l.port = free;
                l.holding = Holding.GIVEN;
                l.channel.writeAndFlush(new FileDescriptor(free.channel.fd().intValue()));
            }
        }

        /** What a worker says on its link. */
        private final class LinkReader extends ByteToMessageDecoder {
            private final Link link;

            LinkReader(Link link) {
                this.link = link;
            }

            @Override
            protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
                while (in.isReadable()) {
                    int at = in.readerIndex();
                    int what = in.getUnsignedByte(at);
                    if (what == LINK_SLOT) {
                        if (in.readableBytes() < 2) {
                            return;
                        }
                        in.skipBytes(1);
                        link.slot = in.readUnsignedByte();
                        Link before = bySlot.put(link.slot, link);
                        if (before != null && before != link) {
                            before.channel.close();
                        }
                        reassign();
                    } else if (what == LINK_TAKEN) {
                        in.skipBytes(1);
                        if (link.holding == Holding.GIVEN) {
                            link.holding = Holding.HELD;
                            LOG.debugf("QUIC: worker %d reads one of the host's sockets", link.slot);
                        }
                    } else if (what == LINK_RELEASED) {
                        in.skipBytes(1);
                        letGo(link);
                        reassign();
                    } else if (what == LINK_ADDRESS) {
                        if (in.readableBytes() < 2) {
                            return;
                        }
                        int length = in.getUnsignedByte(at + 1);
                        if (in.readableBytes() < 4 + length) {
                            return;
                        }
                        in.skipBytes(2);
                        byte[] ip = new byte[length];
                        in.readBytes(ip);
                        int port = in.readUnsignedShort();
                        try {
                            remember(link.slot, new InetSocketAddress(InetAddress.getByAddress(ip), port));
                        } catch (UnknownHostException e) {
                            // not an address: ignored
                        }
                    } else {
                        LOG.debugf("QUIC: a worker's socket link sent %d: closed", what);
                        in.skipBytes(in.readableBytes());
                        ctx.close();
                        return;
                    }
                }
            }

            @Override
            public void channelInactive(ChannelHandlerContext ctx) throws Exception {
                // the worker is gone (or closed its port): the primary reads its socket again
                letGo(link);
                if (bySlot.get(link.slot) == link) {
                    bySlot.remove(link.slot);
                    Channel relay = toWorkers.remove(link.slot);
                    if (relay != null) {
                        relay.close();
                    }
                }
                super.channelInactive(ctx);
                reassign();
            }

            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                ctx.close();
            }
        }

        private void letGo(Link link) {
            if (link.port != null) {
                link.port.holder = 0;
                link.port.channel.config().setAutoRead(true);
                link.port = null;
            }
            link.holding = Holding.NONE;
        }

        /** The stateless resets sent so far (datagrams of connections whose worker is gone). */
        public long resets() {
            return resets.get();
        }

        /** The datagrams of clients that the primary read and passed to a worker. */
        public long relayed() {
            return relayed.get();
        }

        /** The datagrams for workers dropped: a worker did not keep up ({@link #RELAY_QUEUE}), or was gone. */
        public long relayDropped() {
            return relayDropped.get();
        }

        /** The host's sockets, and how many a worker holds. */
        public int[] sockets() {
            if (!loop.inEventLoop()) {
                try {
                    return loop.submit(this::sockets).get(5, TimeUnit.SECONDS);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
            int held = 0;
            for (Port p : ports) {
                held += p.holder == 0 ? 0 : 1;
            }
            return new int[] { ports.size(), held };
        }

        /** The UDP port bound. */
        public int port() {
            return ports.get(0).channel.localAddress().getPort();
        }

        /** The sockets bound to the port, in their order. */
        List<Channel> portSockets() {
            return ports.stream().map(p -> (Channel) p.channel).toList();
        }

        @Override
        public void close() {
            if (review != null) {
                review.cancel(false);
            }
            if (links != null) {
                links.close().syncUninterruptibly();
            }
            if (loop.inEventLoop()) {
                List.copyOf(toWorkers.values()).forEach(Channel::close);
            } else {
                loop.submit(() -> List.copyOf(toWorkers.values()).forEach(Channel::close)).syncUninterruptibly();
            }
            for (Port p : List.copyOf(ports)) {
                p.channel.close().syncUninterruptibly();
            }
            if (back != null) {
                back.close().syncUninterruptibly();
            }
        }
    }

    /** Which worker a datagram goes to (see {@link Front#start}), and which workers hold sockets. */
    public interface Steering {
        int slot(int named, int hash);

        /** The workers that take new connections, which read a socket of the host each. */
        List<Integer> holders();
    }
}
