package dev.qsio.runtime.handoff;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;

import org.jboss.logging.Logger;

import dev.qsio.runtime.internals.FrameworkInternals;
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
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollMode;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.unix.DomainSocketReadMode;
import io.netty.channel.unix.FileDescriptor;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;

/**
 * Hands the TCP connection of a request to the worker of this host that owns its session, so that every session's
 * connections live in the process that runs it: the primary gives each connection accepted on the public port to the
 * worker that serves it ({@link Acceptor}), and a worker gives another worker a kept-alive connection that carries a
 * request for one of its sessions.
 * <p>
 * The worker that accepted the connection stops reading from it, and sends over Unix domain sockets its file
 * descriptor ({@code SCM_RIGHTS}) and the request it already read (re-serialized, with a body it read whole, and the
 * bytes its decoder held). The owner turns the descriptor into a channel, fires it into its HTTP server's listening
 * channel (so Vert.x sets it up as one it accepted), and replays the request before anything else is read from the
 * socket. The sender then closes its copy of the descriptor: nothing is written, the connection goes on in the owner
 * alone, and a later death of the sender does not touch it.
 * <p>
 * Each worker listens on {@code <dir>/<slot>.fd} (descriptors) and {@code <dir>/<slot>.req} (requests) in a
 * directory only the user can open. A descriptor and its request are paired by the connection's addresses, which
 * both sides read from the socket itself. TLS and HTTP/2 connections cannot be handed over (their state lives in the
 * accepting process): their requests are forwarded over the bus instead.
 */
public final class ConnectionHandOff {

    private static final Logger LOG = Logger.getLogger(ConnectionHandOff.class);

    /**
     * How long a descriptor or a request waits for its other half before both are dropped: only a half whose other
     * half was lost (its sender died) waits that long. The request half goes at once and the descriptor waits its turn
     * on the link; with every Engine.IO request on a connection of its own, 1,000 clients connecting at once on a
     * busy machine kept descriptors queued 4 to 5 s, longer than the 5 s this was, and 1,539 connections were lost.
     */
    private static final long PAIRING_TIMEOUT_MS = 30_000;
    /**
     * Descriptors sent and not yet acknowledged on a link. Netty cannot wait for room in a Unix socket when it sends a
     * descriptor (a full socket fails the channel), so the receiver acknowledges each one and the sender keeps the
     * socket's queue far below its buffer (each message holds about a kilobyte of it).
     */
    static final int MAX_IN_FLIGHT = 64;

    private final EventLoopGroup group;
    private final Path dir;
    private final int slot;
    private final int maxRequestBytes;
    private final Map<Integer, Link> links = new ConcurrentHashMap<>();
    /** Slots whose link is being opened. */
    private final Set<Integer> connecting = ConcurrentHashMap.newKeySet();
    private final Map<String, Waiting> unpaired = new ConcurrentHashMap<>();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private volatile IntFunction<Channel> listeners;
    /** The listening channels found so far, by kind ({@link #PLAIN}, {@link #TLS}; a warm-up's is asked each time). */
    private final Channel[] listening = new Channel[2];
    private final AtomicLong warmUpReceived = new AtomicLong();
    private Channel fdServer;
    private Channel requestServer;
    private volatile boolean closed;
    /** The links others opened to this worker (a closed one leaves the group by itself). */
    private final ChannelGroup inbound = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);

    /** The two connections to another worker's receiver. */
    private record Link(Channel fds, DescriptorSender sender, Channel requests) {
        boolean active() {
            return fds.isActive() && requests.isActive();
        }
    }

    /** The bytes read from a connection, waiting for its descriptor, and the listener it goes to. */
    private record Pending(ByteBuf bytes, int kind) {
    }

    /**
     * @param dir the directory of the host's hand-off sockets
     * @param slot this worker's bus slot: its sockets' name
     * @param maxRequestBytes the largest request (headers and body) a peer may send
     */
    public ConnectionHandOff(Vertx vertx, Path dir, int slot, int maxRequestBytes) {
        this.group = vertx.nettyEventLoopGroup();
        this.dir = dir;
        this.slot = slot;
        this.maxRequestBytes = maxRequestBytes;
    }

    /** Whether hand-offs can work in this process: Linux epoll, as the primary's routing of connections already needs. */
    public static boolean available(Vertx vertx) {
        return vertx.isNativeTransportEnabled() && io.netty.channel.epoll.Epoll.isAvailable();
    }

    private Path fdSocket(int s) {
        return dir.resolve(s + ".fd");
    }

    private Path requestSocket(int s) {
        return dir.resolve(s + ".req");
    }

    // ================================================================ receiving

    /** A connection for the HTTP server's plain listener. */
    public static final int PLAIN = 0;
    /** A connection for the HTTP server's TLS listener: its bytes are passed on unread. */
    public static final int TLS = 1;
    /**
     * A connection of the worker's own warm-up ({@code quarkus.socketio.warm-up}), which its clients open through the
     * primary's warm-up port so that the primary's acceptor, this hand-off and the worker's receiving side are compiled
     * before the first clients: served by the warm-up's private server while it listens, closed otherwise. Counted
     * apart from the application's connections ({@link #warmUpReceived()}).
     */
    public static final int WARM_UP = 2;

    /**
     * Starts receiving connections; they are served by the HTTP server whose listening channel {@code listeners}
     * gives for the connection's kind ({@link #PLAIN} or {@link #TLS}; asked at the first connection of that kind,
     * once the server listens; for {@link #WARM_UP}, asked at each connection, and null when no warm-up listens).
     */
    public void start(IntFunction<Channel> listeners) throws IOException {
        this.listeners = listeners;
        Files.deleteIfExists(fdSocket(slot));
        Files.deleteIfExists(requestSocket(slot));
        fdServer = new ServerBootstrap().group(group).channel(EpollServerDomainSocketChannel.class)
                .childOption(EpollChannelOption.DOMAIN_SOCKET_READ_MODE, DomainSocketReadMode.FILE_DESCRIPTORS)
                // Netty's read loop takes one descriptor at a time and may stop while more wait in the socket: with
                // edge-triggered epoll those would wait for the next one to arrive; level-triggered reads them all
                .childOption(EpollChannelOption.EPOLL_MODE, EpollMode.LEVEL_TRIGGERED)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                            private int unacknowledged;

                            @Override
                            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                if (msg instanceof FileDescriptor fd) {
                                    unacknowledged++;
                                    onDescriptor(fd);
                                }
                            }

                            @Override
                            public void channelReadComplete(ChannelHandlerContext ctx) {
                                // the sender's window: one byte per descriptor taken
                                if (unacknowledged > 0) {
                                    ctx.writeAndFlush(ctx.alloc().buffer(unacknowledged).writeZero(unacknowledged));
                                    unacknowledged = 0;
                                }
                            }
                        });
                        ch.pipeline().addLast(LinkErrors.INSTANCE);
                        inbound.add(ch);
                    }
                }).bind(new DomainSocketAddress(fdSocket(slot).toFile())).syncUninterruptibly().channel();
        requestServer = new ServerBootstrap().group(group).channel(EpollServerDomainSocketChannel.class)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new LengthFieldBasedFrameDecoder(maxRequestBytes + 1024, 0, 4, 0, 4));
                        ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                ByteBuf frame = (ByteBuf) msg;
                                int kind = frame.readUnsignedByte();
                                int keyLength = frame.readUnsignedShort();
                                String key = frame.readCharSequence(keyLength, StandardCharsets.UTF_8).toString();
                                onRequest(key, new Pending(frame, kind));
                            }
                        });
                        ch.pipeline().addLast(LinkErrors.INSTANCE);
                        inbound.add(ch);
                    }
                }).bind(new DomainSocketAddress(requestSocket(slot).toFile())).syncUninterruptibly().channel();
    }

    private void onDescriptor(FileDescriptor fd) {
        EpollSocketChannel connection;
        try {
            // reads the socket's own addresses (getsockname, getpeername)
            connection = new EpollSocketChannel(fd.intValue());
        } catch (RuntimeException e) {
            LOG.debugf("a handed-over descriptor is not a usable socket: %s", e.getMessage());
            closeQuietly(fd);
            return;
        }
        Pending request = pair(key(connection), connection, Pending.class);
        if (request != null) {
            inject(connection, request);
        }
    }

    private void onRequest(String key, Pending request) {
        EpollSocketChannel connection = pair(key, request, EpollSocketChannel.class);
        if (connection != null) {
            inject(connection, request);
        }
    }

    /**
     * The two halves of a hand-off (the descriptor and the request's bytes) arrive by different paths, in either
     * order: the half that comes second takes the first one waiting under {@code key} if it is a {@code partner}, or
     * else waits there itself (for a while: see expire). Returns the partner, or null when {@code mine} waits.
     */
    private <T> T pair(String key, Object mine, Class<T> partner) {
        Waiting[] match = new Waiting[1];
        Waiting waiting = new Waiting(mine);
        unpaired.compute(key, (k, v) -> {
            if (v != null && partner.isInstance(v.half)) {
                match[0] = v;
                return null;
            }
            return waiting;
        });
        if (match[0] == null) {
            expire(key, waiting);
            return null;
        }
        // the half that waited is not held for the rest of the pairing timeout by its expiry task
        ScheduledFuture<?> expiry = match[0].expiry;
        if (expiry != null) {
            expiry.cancel(false);
        }
        return partner.cast(match[0].half);
    }

    /** A half waiting for its partner, and the task that drops it if none comes. */
    private static final class Waiting {
        final Object half;
        /** Set once scheduled: a partner arriving before that finds it null, and the task then finds nothing to drop. */
        volatile ScheduledFuture<?> expiry;

        Waiting(Object half) {
            this.half = half;
        }
    }

    private void expire(String key, Waiting waiting) {
        waiting.expiry = group.schedule(() -> {
            if (unpaired.remove(key, waiting)) {
                failed.incrementAndGet();
                Object half = waiting.half;
                LOG.debugf("a handed-over connection (%s) lost its other half: only its %s came", key,
                        half instanceof Pending ? "request" : "descriptor");
                if (half instanceof EpollSocketChannel ch) {
                    // never registered: close the descriptor directly
                    FrameworkInternals.closeForcibly(ch);
                } else {
                    ((Pending) half).bytes.release();
                }
            }
        }, PAIRING_TIMEOUT_MS, TimeUnit.MILLISECONDS);
    }

    /** Serves the connection as if this server had accepted it, starting with the bytes already read. */
    private void inject(EpollSocketChannel connection, Pending pending) {
        ByteBuf request = pending.bytes;
        int kind = pending.kind == TLS || pending.kind == WARM_UP ? pending.kind : PLAIN;
        Channel server = kind == WARM_UP ? null : listening[kind];
        if (server == null) {
            try {
                server = listeners.apply(kind);
                if (kind != WARM_UP) {
                    listening[kind] = server;
                }
            } catch (RuntimeException e) {
                LOG.warnf("Cannot serve a handed-over connection: %s", e.getMessage());
            }
        }
        if (server == null || closed) {
            if (kind == WARM_UP) {
                LOG.debugf("a warm-up connection came when no warm-up listens: closed");
            } else {
                failed.incrementAndGet();
            }
            request.release();
            FrameworkInternals.closeForcibly(connection);
            return;
        }
        if (kind == WARM_UP) {
            warmUpReceived.incrementAndGet();
        } else {
            received.incrementAndGet();
        }
        if (LOG.isDebugEnabled()) {
            LOG.debugf("serving a handed-over connection %s: %s", key(connection),
                    request.toString(request.readerIndex(), Math.min(request.readableBytes(), 120), StandardCharsets.ISO_8859_1)
                            .split("\r\n")[0]);
        }
        // runs first in the pipeline Vert.x sets up next to it, and removes itself once it replayed the request
        connection.pipeline().addLast("qsio-replay", new Replay(request));
        // Netty's acceptor adds Vert.x's child handler, applies the child options and registers the channel on one
        // of the server's event loops, as for a socket it accepted
        server.pipeline().fireChannelRead(connection);
    }

    /** Replays the request inside the channel's activation, before the first read from its socket. */
    private static final class Replay extends ChannelInboundHandlerAdapter {
        private ByteBuf request;

        Replay(ByteBuf request) {
            this.request = request;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            ctx.fireChannelActive();
            ByteBuf bytes = request;
            request = null;
            ctx.pipeline().remove(this);
            ctx.fireChannelRead(bytes);
            ctx.fireChannelReadComplete();
        }

        @Override
        public void handlerRemoved(ChannelHandlerContext ctx) {
            if (request != null) {
                request.release();
                request = null;
            }
        }
    }

    // ================================================================ sending

    /** Opens the connections to another worker's receiver (when it joins the bus); idempotent. */
    public void connect(int peer) {
        if (peer == slot || closed) {
            return;
        }
        Link existing = links.get(peer);
        if ((existing != null && existing.active()) || !connecting.add(peer)) {
            return;
        }
        DescriptorSender sender = new DescriptorSender();
        ChannelFuture fds = new Bootstrap().group(group).channel(EpollDomainSocketChannel.class).handler(sender)
                .connect(new DomainSocketAddress(fdSocket(peer).toFile()));
        ChannelFuture requests = new Bootstrap().group(group).channel(EpollDomainSocketChannel.class)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        // nothing comes back on this connection but its errors
                        ch.pipeline().addLast(LinkErrors.INSTANCE);
                    }
                }).connect(new DomainSocketAddress(requestSocket(peer).toFile()));
        fds.addListener(f1 -> requests.addListener(f2 -> {
            connecting.remove(peer);
            if (fds.isSuccess() && requests.isSuccess()) {
                Link old = links.put(peer, new Link(fds.channel(), sender, requests.channel()));
                if (old != null) {
                    old.fds.close();
                    old.requests.close();
                }
                LOG.debugf("hand-off link to slot %d open", peer);
            } else {
                LOG.debugf("cannot open the hand-off link to slot %d: %s", peer,
                        fds.isSuccess() ? requests.cause() : fds.cause());
                if (fds.isSuccess()) {
                    fds.channel().close();
                }
                if (requests.isSuccess()) {
                    requests.channel().close();
                }
            }
        }));
    }

    /** Closes the connections to a worker that left. */
    public void forget(int peer) {
        Link link = links.remove(peer);
        if (link != null) {
            link.fds.close();
            link.requests.close();
        }
    }

    /** The reason a request cannot be handed over, or null when it can (to worker {@code peer}). */
    public String refusal(int peer, HttpServerRequest request) {
        if (closed) {
            return "stopping";
        }
        Link link = links.get(peer);
        if (link == null || !link.active()) {
            connect(peer);
            return "no link to slot " + peer + " yet";
        }
        if (request.isSSL()) {
            return "TLS";
        }
        if (request.version() != HttpVersion.HTTP_1_1 && request.version() != HttpVersion.HTTP_1_0) {
            return request.version().name();
        }
        if (!(channelOf(request) instanceof EpollSocketChannel)) {
            return "not an epoll socket";
        }
        return null;
    }

    /**
     * Hands the connection of {@code request} to worker {@code peer}, with {@code body} when this worker read it
     * (a POST). Call only after {@link #refusal} said it can; the request must not have been answered. From then
     * on this worker does not touch the connection.
     */
    public void send(int peer, HttpServerRequest request, Buffer body) {
        Channel ch = channelOf(request);
        // what this worker has not read yet stays in the kernel for the owner
        ch.config().setAutoRead(false);
        ChannelPipeline pipeline = ch.pipeline();
        // bytes read but not decoded yet (a request sent right behind this one): removing the decoder hands its
        // buffer to the handler that replaces it
        Leftovers leftovers = new Leftovers();
        if (pipeline.context(HttpRequestDecoder.class) != null) {
            pipeline.replace(HttpRequestDecoder.class, "qsio-leftovers", leftovers);
        }
        CompositeByteBuf bytes = Unpooled.compositeBuffer();
        bytes.addComponent(true, serialize(request, body));
        leftovers.drainInto(bytes);
        send(peer, ch, bytes, PLAIN, request.uri());
    }

    /**
     * Hands a connection to worker {@code peer}: {@code bytes} (what was read from it, released here) come first, then
     * what the socket holds; {@code kind} says which of the owner's listeners serves it. The connection must have
     * stopped reading ({@code autoRead} off). From then on this process does not touch it.
     */
    public void send(int peer, Channel ch, ByteBuf bytes, int kind, String what) {
        Link link = links.get(peer);
        if (link == null || !link.active()) {
            abandon(ch, bytes, what, new IOException("no hand-off link to slot " + peer));
            return;
        }
        byte[] key = key(ch).getBytes(StandardCharsets.UTF_8);
        ByteBuf frame = link.requests.alloc().buffer(7 + key.length + bytes.readableBytes());
        frame.writeInt(3 + key.length + bytes.readableBytes()).writeByte(kind).writeShort(key.length).writeBytes(key)
                .writeBytes(bytes);
        bytes.release();
        int fd = ((EpollSocketChannel) ch).fd().intValue();
        // what this process wrote before on the connection (an earlier response) reaches the socket first
        ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(flushed -> {
            if (!flushed.isSuccess() || !ch.isOpen()) {
                abandon(ch, frame, what, flushed.cause());
                return;
            }
            // out of this process's epoll: nothing here reads or closes the connection any more, so its descriptor
            // number stays this connection's until the descriptor is sent, however long it waits for room on the link
            ch.deregister().addListener(deregistered -> {
                if (!deregistered.isSuccess() || !ch.isOpen()) {
                    abandon(ch, frame, what, deregistered.cause());
                    return;
                }
                link.requests.writeAndFlush(frame);
                link.sender.submit(new DescriptorSender.Outgoing(fd, failure -> {
                    if (failure == null) {
                        sent.incrementAndGet();
                        LOG.debugf("connection %s (fd %d, %s) handed to slot %d", ch, fd, what, peer);
                    } else {
                        failed.incrementAndGet();
                        LOG.debugf(failure, "handing connection %s (%s) to slot %d failed", ch, what, peer);
                    }
                    // only once the descriptor is on its way may this copy go (its number could be reused before).
                    // The channel is closed below the pipeline: Vert.x's handlers would wait for the response this
                    // worker never writes; this closes its descriptor, writing nothing
                    FrameworkInternals.closeBelowPipeline(ch);
                }));
            });
        });
    }

    /** Whether connections can be handed to worker {@code peer} now. */
    public boolean linked(int peer) {
        Link link = links.get(peer);
        return link != null && link.active() && !closed;
    }

    /** A connection that closed (or could not go) before it was handed over: nothing to send. */
    private void abandon(Channel ch, ByteBuf frame, String what, Throwable cause) {
        frame.release();
        failed.incrementAndGet();
        LOG.debugf("connection %s (%s) not handed over: %s", ch, what, cause);
        FrameworkInternals.closeBelowPipeline(ch);
    }

    /** Vert.x's channel of a request's connection. */
    private static Channel channelOf(HttpServerRequest request) {
        return FrameworkInternals.channel(request.connection());
    }

    /** The request line, headers and body as the owner's HTTP server will read them. */
    static ByteBuf serialize(HttpServerRequest request, Buffer body) {
        StringBuilder head = new StringBuilder(256);
        head.append(request.method().name()).append(' ').append(request.uri()).append(' ')
                .append(request.version() == HttpVersion.HTTP_1_0 ? "HTTP/1.0" : "HTTP/1.1").append("\r\n");
        for (Map.Entry<String, String> h : request.headers()) {
            if (body != null && (h.getKey().equalsIgnoreCase("content-length")
                    || h.getKey().equalsIgnoreCase("transfer-encoding"))) {
                continue;
            }
            head.append(h.getKey()).append(": ").append(h.getValue()).append("\r\n");
        }
        if (body != null) {
            head.append("content-length: ").append(body.length()).append("\r\n");
        }
        head.append("\r\n");
        ByteBuf bytes = Unpooled.copiedBuffer(head, StandardCharsets.ISO_8859_1);
        return body == null || body.length() == 0 ? bytes : Unpooled.wrappedBuffer(bytes, Unpooled.wrappedBuffer(body.getBytes()));
    }

    /** Takes the decoder's unread bytes when it is removed; passes on what it had already decoded. */
    private static final class Leftovers extends ChannelInboundHandlerAdapter {
        private final CompositeByteBuf bytes = Unpooled.compositeBuffer();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof ByteBuf b) {
                bytes.addComponent(true, b);
            } else {
                ctx.fireChannelRead(msg);
            }
        }

        void drainInto(CompositeByteBuf target) {
            if (bytes.isReadable()) {
                target.addComponent(true, bytes.retain());
            }
            bytes.release();
        }
    }

    private static String key(Channel ch) {
        return address(ch.localAddress()) + "|" + address(ch.remoteAddress());
    }

    private static String address(Object a) {
        if (a instanceof InetSocketAddress i) {
            return i.getAddress().getHostAddress() + ":" + i.getPort();
        }
        return String.valueOf(a);
    }

    private static void closeQuietly(FileDescriptor fd) {
        try {
            fd.close();
        } catch (IOException e) {
            // nothing more to do with it
        }
    }

    // ================================================================ state

    /** Connections this worker handed to others. */
    public long sent() {
        return sent.get();
    }

    /** Connections this worker received from others. */
    public long received() {
        return received.get();
    }

    /** Connections of this worker's own warm-up that the primary handed over ({@link #WARM_UP}). */
    public long warmUpReceived() {
        return warmUpReceived.get();
    }

    /** Hand-offs that did not complete (a send that failed, a half that never found its pair). */
    public long failed() {
        return failed.get();
    }

    /**
     * Stops receiving and sending; removes this worker's sockets. The links others opened to it close too, so that they
     * see it take no more connections.
     */
    public void close() {
        closed = true;
        links.keySet().forEach(this::forget);
        inbound.close();
        if (fdServer != null) {
            fdServer.close();
        }
        if (requestServer != null) {
            requestServer.close();
        }
        try {
            Files.deleteIfExists(fdSocket(slot));
            Files.deleteIfExists(requestSocket(slot));
        } catch (IOException e) {
            LOG.debugf("cannot remove the hand-off sockets: %s", e.getMessage());
        }
    }

    @Override
    public String toString() {
        return "ConnectionHandOff[slot " + slot + ", " + dir + "]";
    }
}
