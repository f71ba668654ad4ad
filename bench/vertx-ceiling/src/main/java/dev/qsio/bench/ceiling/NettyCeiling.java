package dev.qsio.bench.ceiling;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.util.concurrent.FastThreadLocal;

/**
 * The real ceiling: the bench application's fan-out on raw Netty with the native epoll transport, no Vert.x, no
 * Engine.IO or Socket.IO layer. As little as the load generator needs (the open packet, the namespace CONNECT, the
 * five events and their acks), no JSON parsing. A broadcast is encoded once as a whole WebSocket frame in one direct
 * buffer; each event loop gets one task that writes a view of it to each of its members with a void promise, and
 * flushes each member once for the broadcasts it wrote in a row.
 * <p>
 * Heartbeats as Engine.IO's (what an idle connection costs a server at the least): each loop pings a 25th of its
 * connections every second with one shared frame, so that each is pinged every 25 s, and closes those that did not
 * answer the previous ping. Usage: {@code NettyCeiling <port>}.
 */
public final class NettyCeiling {

    private static final AtomicLong IDS = new AtomicLong();
    private static final int PING_INTERVAL_SECONDS = 25;
    private static final int PING_TIMEOUT_SECONDS = 20;
    /** The members of room "r", by event loop; each list is touched only on its loop. */
    private static final Map<EventLoop, List<Channel>> ROOM = new ConcurrentHashMap<>();
    /** Every connection, by event loop; each touched only on its loop. */
    private static final Map<EventLoop, Members> EVERYONE = new ConcurrentHashMap<>();
    private static final ByteBuf PING = Unpooled.unreleasableBuffer(Unpooled.directBuffer(3).writeByte(0x81)
            .writeByte(1).writeByte('2'));

    /** A loop's connections, removed in constant time (the last takes the place of the one removed). */
    private static final class Members {
        final List<Session> all = new ArrayList<>();
        int tick;

        void add(Session s) {
            s.index = all.size();
            all.add(s);
        }

        void remove(Session s) {
            Session last = all.remove(all.size() - 1);
            if (last != s) {
                all.set(s.index, last);
                last.index = s.index;
            }
        }

        /**
         * Pings the connections of this second's slice; closes those that did not answer their last ping within the
         * timeout (a connection moved to another slice by a removal may come round sooner than its interval).
         */
        void heartbeat() {
            int slice = tick++ % PING_INTERVAL_SECONDS;
            for (int k = slice; k < all.size(); k += PING_INTERVAL_SECONDS) {
                Session s = all.get(k);
                if (s.pingedAt > s.pongAt) {
                    if (tick - s.pingedAt >= PING_TIMEOUT_SECONDS) {
                        s.ctx.close();
                    }
                } else {
                    s.pingedAt = tick;
                    s.ctx.writeAndFlush(PING.duplicate(), s.ctx.voidPromise());
                }
            }
        }
    }

    private static Members members(EventLoop loop) {
        return EVERYONE.computeIfAbsent(loop, l -> {
            Members m = new Members();
            l.scheduleAtFixedRate(m::heartbeat, 1, 1, TimeUnit.SECONDS);
            return m;
        });
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        EpollEventLoopGroup boss = new EpollEventLoopGroup(1);
        EpollEventLoopGroup loops = new EpollEventLoopGroup(Runtime.getRuntime().availableProcessors());
        new ServerBootstrap().group(boss, loops).channel(EpollServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 4096)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(65536),
                                new WebSocketServerProtocolHandler(WebSocketServerProtocolConfig.newBuilder()
                                        .websocketPath("/socket.io/").checkStartsWith(true).build()),
                                new Session());
                    }
                })
                .bind("127.0.0.1", port).sync();
        System.out.println("netty ceiling listening on " + port);
    }

    /**
     * Flushes a loop's members once for all the broadcasts written in a row: queued behind the loop's pending tasks,
     * so that broadcasts queued together reach each member in one system call.
     */
    private static final class Flusher implements Runnable {
        private List<Channel> members;
        private boolean scheduled;

        void schedule(EventLoop loop, List<Channel> room) {
            members = room;
            if (!scheduled) {
                scheduled = true;
                loop.execute(this);
            }
        }

        @Override
        public void run() {
            scheduled = false;
            for (int k = 0; k < members.size(); k++) {
                members.get(k).flush();
            }
        }
    }

    private static final FastThreadLocal<Flusher> FLUSHERS = new FastThreadLocal<>() {
        @Override
        protected Flusher initialValue() {
            return new Flusher();
        }
    };

    private static final class Session extends SimpleChannelInboundHandler<TextWebSocketFrame> {
        private final String sid = Long.toString(IDS.incrementAndGet());
        private boolean member;
        private ChannelHandlerContext ctx;
        /** Where this connection is in its loop's {@link Members}; -1 before the handshake. */
        int index = -1;
        /** The loop's heartbeat tick of the last ping sent and of the last pong received. */
        int pingedAt;
        int pongAt;

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof WebSocketServerProtocolHandler.HandshakeComplete) {
                this.ctx = ctx;
                members(ctx.channel().eventLoop()).add(this);
                ctx.writeAndFlush(new TextWebSocketFrame(CeilingProtocol.open(sid)));
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (member) {
                ROOM.get(ctx.channel().eventLoop()).remove(ctx.channel());
            }
            if (index >= 0) {
                members(ctx.channel().eventLoop()).remove(this);
            }
            ctx.fireChannelInactive();
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, TextWebSocketFrame frame) {
            String text = frame.text();
            if (text.equals("3")) {
                pongAt = pingedAt;
                return;
            }
            if (text.startsWith("40")) {
                ctx.writeAndFlush(new TextWebSocketFrame(CeilingProtocol.connected(sid)));
                return;
            }
            CeilingProtocol.Event e = CeilingProtocol.event(text);
            if (e == null) {
                return;
            }
            switch (e.name()) {
                case "pub" -> broadcast(ctx, e.broadcast().getBytes(StandardCharsets.UTF_8));
                case "all" -> broadcastToAll(ctx, e.broadcast().getBytes(StandardCharsets.UTF_8));
                case "echo" -> ctx.writeAndFlush(new TextWebSocketFrame(e.echo()));
                case "join" -> {
                    if (!member) {
                        member = true;
                        ROOM.computeIfAbsent(ctx.channel().eventLoop(), l -> new ArrayList<>()).add(ctx.channel());
                    }
                    if (!e.ackId().isEmpty()) {
                        ctx.writeAndFlush(new TextWebSocketFrame(e.ack("")));
                    }
                }
                default -> {
                    if (!e.ackId().isEmpty()) {
                        ctx.writeAndFlush(new TextWebSocketFrame(e.ack(CeilingProtocol.PID)));
                    }
                }
            }
        }

        private static ByteBuf frame(ChannelHandlerContext ctx, byte[] payload) {
            ByteBuf frame = ctx.alloc().directBuffer(payload.length + 4);
            frame.writeByte(0x81);
            if (payload.length < 126) {
                frame.writeByte(payload.length);
            } else {
                frame.writeByte(126);
                frame.writeShort(payload.length);
            }
            return frame.writeBytes(payload);
        }

        /** To every connection: each loop writes the shared frame to its own, then flushes each once. */
        private static void broadcastToAll(ChannelHandlerContext ctx, byte[] payload) {
            ByteBuf frame = frame(ctx, payload);
            for (Map.Entry<EventLoop, Members> e : EVERYONE.entrySet()) {
                frame.retain();
                List<Session> all = e.getValue().all;
                e.getKey().execute(() -> {
                    try {
                        for (int k = 0; k < all.size(); k++) {
                            Channel c = all.get(k).ctx.channel();
                            c.write(frame.retainedDuplicate(), c.voidPromise());
                        }
                        for (int k = 0; k < all.size(); k++) {
                            all.get(k).ctx.channel().flush();
                        }
                    } finally {
                        frame.release();
                    }
                });
            }
            frame.release();
        }

        private static void broadcast(ChannelHandlerContext ctx, byte[] payload) {
            ByteBuf frame = frame(ctx, payload);
            for (Map.Entry<EventLoop, List<Channel>> e : ROOM.entrySet()) {
                frame.retain();
                EventLoop loop = e.getKey();
                List<Channel> members = e.getValue();
                Runnable deliver = () -> {
                    try {
                        for (int k = 0; k < members.size(); k++) {
                            Channel c = members.get(k);
                            c.write(frame.retainedDuplicate(), c.voidPromise());
                        }
                        FLUSHERS.get().schedule(loop, members);
                    } finally {
                        frame.release();
                    }
                };
                if (loop.inEventLoop()) {
                    deliver.run();
                } else {
                    loop.execute(deliver);
                }
            }
            frame.release();
        }
    }
}
