package dev.qsio.runtime.handoff;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.jboss.logging.Logger;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.util.concurrent.ScheduledFuture;

/**
 * The primary's listener on the application's public port. It reads each new connection's request line, asks the
 * {@link Router} which worker of this host serves it (the owner of the session the request names, or any worker
 * that takes new connections), and hands the connection over with what it read ({@link ConnectionHandOff}).
 * <p>
 * Why the primary and not the kernel: with the workers sharing the port (SO_REUSEPORT), a connection carrying a
 * request for a session of worker B could be queued in, or being read by, worker A; when A died, that request died
 * with it and B's client lost its session (the official Node client opens a connection per polling request, and
 * half of them landed on the wrong worker). Here a connection is in a worker only once that worker serves it, and
 * the primary, whose death ends the whole host anyway, holds it meanwhile. The cost is one more hop per new
 * connection: the primary reads its first line and passes its descriptor, nothing after that.
 * <p>
 * A connection whose first bytes are not an HTTP/1 request line (TLS, HTTP/2 with prior knowledge) goes to any
 * worker unread. One that sends no complete line within the header timeout is closed; one that finds no worker to
 * take it waits up to {@link #waitMs}, then gets 503.
 */
public final class Acceptor {

    private static final Logger LOG = Logger.getLogger(Acceptor.class);
    /** The longest first line read before the connection goes to a worker as it is (which refuses it). */
    static final int MAX_LINE = 16 * 1024;
    private static final byte[] UNAVAILABLE = ("HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain\r\n"
            + "retry-after: 1\r\ncontent-length: 20\r\nconnection: close\r\n\r\nno worker available\n")
            .getBytes(StandardCharsets.US_ASCII);

    /** Where connections go; asked on event loops. */
    public interface Router {

        /**
         * The bus slot of the worker of this host that owns Engine.IO session {@code sid} and can be handed its
         * connections now, or -1 (the session is not of this host, or its worker is gone).
         */
        int owner(String sid);

        /** The bus slot of a worker that takes new connections now, or -1. */
        int any();

        /**
         * The bus slot of the worker for a request whose first line names {@code target} (null: not read, or not
         * HTTP/1), or -1: the owner of the session it names, else any worker that takes new connections.
         */
        default int route(String target) {
            String sid = target == null ? null : RequestLine.sid(target);
            int slot = sid == null ? -1 : owner(sid);
            // a new session, a request that is not Engine.IO's, or a session whose worker is gone (any worker answers
            // that it does not know it, and the client starts a new one)
            return slot >= 0 ? slot : any();
        }
    }

    /**
     * The router of the primary's warm-up port: each request names the worker that warms up in its query
     * ({@value #WARM_UP_PARAM}), and goes to that worker whether it takes connections yet or not (it is not ready while
     * it warms up); a request that names none goes nowhere.
     */
    public static Router warmUpRouter() {
        return new Router() {
            @Override
            public int owner(String sid) {
                return -1;
            }

            @Override
            public int any() {
                return -1;
            }

            @Override
            public int route(String target) {
                String slot = target == null ? null : RequestLine.param(target, WARM_UP_PARAM);
                if (slot == null) {
                    return -1;
                }
                try {
                    return Integer.parseInt(slot);
                } catch (NumberFormatException e) {
                    return -1;
                }
            }
        };
    }

    /** The query parameter of a warm-up's request that names the worker warming up (its bus slot). */
    public static final String WARM_UP_PARAM = "qsio-warm-up";

    private final EventLoopGroup group;
    private final ConnectionHandOff handOff;
    private final Router router;
    private final long headerTimeoutMs;
    private final long waitMs;
    private final List<Channel> servers = new ArrayList<>();
    /** Connections waiting for a worker; on their own event loops, listed here to be retried. */
    private final List<Waiting> waiting = new ArrayList<>();
    private final AtomicLong routed = new AtomicLong();
    private final AtomicLong unavailable = new AtomicLong();
    private volatile boolean closed;

    /**
     * @param headerTimeoutMs how long a connection may take to send its first line (0: no limit)
     * @param waitMs how long a connection waits for a worker to take it before it gets 503
     */
    public Acceptor(EventLoopGroup group, ConnectionHandOff handOff, Router router, long headerTimeoutMs, long waitMs) {
        this.group = group;
        this.handOff = handOff;
        this.router = router;
        this.headerTimeoutMs = headerTimeoutMs;
        this.waitMs = waitMs;
    }

    /**
     * Listens on {@code host:port}; connections accepted there go to the workers' listener of {@code kind}
     * ({@link ConnectionHandOff#PLAIN} and {@link ConnectionHandOff#WARM_UP} read up to their first line,
     * {@link ConnectionHandOff#TLS} unread). Waits until
     * bound; fails with the bind's error.
     */
    public void listen(String host, int port, int kind, int backlog) {
        ServerBootstrap bootstrap = new ServerBootstrap().group(group).channel(EpollServerSocketChannel.class)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.AUTO_READ, kind != ConnectionHandOff.TLS)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (kind == ConnectionHandOff.TLS) {
                            // nothing read: the handshake's bytes stay in the socket for the worker
                            ch.eventLoop().execute(() -> dispatch(ch, Unpooled.EMPTY_BUFFER, kind, null, System.nanoTime()));
                        } else {
                            ch.pipeline().addLast(new FirstLine(kind));
                        }
                    }
                });
        if (backlog > 0) {
            bootstrap.option(ChannelOption.SO_BACKLOG, backlog);
        }
        ChannelFuture bound = bootstrap.bind(host, port).syncUninterruptibly();
        synchronized (servers) {
            servers.add(bound.channel());
        }
        LOG.debugf("accepting connections on %s:%d for the workers", host, port);
    }

    /** The port a listener bound (for a port chosen at random), in the order they were opened. */
    public int port(int index) {
        synchronized (servers) {
            return ((InetSocketAddress) servers.get(index).localAddress()).getPort();
        }
    }

    /** Reads a connection's first line, then hands it over to the listener of {@code kind}. */
    private final class FirstLine extends ChannelInboundHandlerAdapter {
        private final int kind;
        private ByteBuf read;
        private ScheduledFuture<?> timeout;
        private final long opened = System.nanoTime();

        FirstLine(int kind) {
            this.kind = kind;
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            read = ctx.alloc().buffer(512);
            if (headerTimeoutMs > 0) {
                timeout = ctx.executor().schedule(() -> {
                    LOG.debugf("connection %s sent no request line within %d ms: closed", ctx.channel(),
                            headerTimeoutMs);
                    ctx.close();
                }, headerTimeoutMs, TimeUnit.MILLISECONDS);
            }
        }

        @Override
        public void handlerRemoved(ChannelHandlerContext ctx) {
            if (timeout != null) {
                timeout.cancel(false);
            }
            if (read != null) {
                read.release();
                read = null;
            }
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf in = (ByteBuf) msg;
            try {
                read.writeBytes(in);
            } finally {
                in.release();
            }
            String target = RequestLine.target(read);
            if (target == null && read.readableBytes() < MAX_LINE && !RequestLine.notHttp1(read)) {
                // the line is not complete yet
                return;
            }
            ByteBuf bytes = read;
            read = null;
            Channel ch = ctx.channel();
            ch.config().setAutoRead(false);
            ctx.pipeline().remove(this);
            dispatch(ch, bytes, kind, target, opened);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            LOG.debugf("connection %s failed before it was routed: %s", ctx.channel(), cause.getMessage());
            ctx.close();
        }
    }

    /** A connection waiting for a worker. */
    private record Waiting(Channel ch, ByteBuf bytes, int kind, String target, long since) {
    }

    /** Routes a connection and hands it over, or lets it wait; on the connection's event loop. */
    private void dispatch(Channel ch, ByteBuf bytes, int kind, String target, long since) {
        if (!ch.isOpen() || closed) {
            bytes.release();
            ch.close();
            return;
        }
        int slot;
        try {
            slot = router.route(target);
        } catch (RuntimeException e) {
            LOG.errorf(e, "Routing a connection failed");
            slot = -1;
        }
        if (slot >= 0 && handOff.linked(slot)) {
            routed.incrementAndGet();
            handOff.send(slot, ch, bytes, kind, target == null ? "unread" : target);
            return;
        }
        if (System.nanoTime() - since > TimeUnit.MILLISECONDS.toNanos(waitMs)) {
            unavailable.incrementAndGet();
            LOG.debugf("no worker took connection %s (%s) within %d ms: 503", ch, target, waitMs);
            bytes.release();
            if (kind != ConnectionHandOff.TLS) {
                ch.writeAndFlush(Unpooled.wrappedBuffer(UNAVAILABLE)).addListener(f -> ch.close());
            } else {
                ch.close();
            }
            return;
        }
        synchronized (waiting) {
            waiting.add(new Waiting(ch, bytes, kind, target, since));
        }
        // looked at again when the workers change, and at least every 100 ms
        ch.eventLoop().schedule(this::retry, 100, TimeUnit.MILLISECONDS);
    }

    /** The workers changed (one became ready, a link opened): the connections that wait are routed again. */
    public void retry() {
        List<Waiting> again;
        synchronized (waiting) {
            if (waiting.isEmpty()) {
                return;
            }
            again = new ArrayList<>(waiting);
            waiting.clear();
        }
        for (Waiting w : again) {
            w.ch.eventLoop().execute(() -> dispatch(w.ch, w.bytes, w.kind, w.target, w.since));
        }
    }

    /** Connections handed to workers. */
    public long routed() {
        return routed.get();
    }

    /** Connections that found no worker in time (answered 503). */
    public long unavailable() {
        return unavailable.get();
    }

    /** Stops listening; connections not yet routed are closed. */
    public void close() {
        closed = true;
        synchronized (servers) {
            servers.forEach(Channel::close);
            servers.clear();
        }
        List<Waiting> left;
        synchronized (waiting) {
            left = new ArrayList<>(waiting);
            waiting.clear();
        }
        for (Waiting w : left) {
            w.bytes.release();
            w.ch.close();
        }
    }
}
