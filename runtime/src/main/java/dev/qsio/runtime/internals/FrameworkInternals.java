package dev.qsio.runtime.internals;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.quarkus.virtual.threads.VirtualThreadsRecorder;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.http.WebSocketFrameType;
import io.vertx.core.http.impl.HttpServerImpl;
import io.vertx.core.http.impl.HttpServerRequestInternal;
import io.vertx.core.http.impl.WebSocketInternal;
import io.vertx.core.http.impl.ws.WebSocketFrameImpl;
import io.vertx.core.impl.ContextInternal;
import io.vertx.core.impl.VertxInternal;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.core.net.impl.ServerID;
import io.vertx.core.net.impl.TCPServerBase;
import io.vertx.core.net.impl.VertxHandler;
import io.vertx.core.spi.metrics.HttpServerMetrics;
import io.vertx.core.spi.metrics.NetworkMetrics;
import io.vertx.core.net.impl.NetSocketInternal;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.impl.PooledRedisConnection;
import io.vertx.redis.client.impl.RedisClusterConnection;
import io.vertx.redis.client.impl.RedisSentinelConnection;
import io.vertx.redis.client.impl.RedisStandaloneConnection;
import io.vertx.redis.client.impl.ZModem;

/**
 * Every reach of this extension into what Vert.x and Quarkus do not expose: their {@code impl} packages, private
 * fields and methods read by reflection, recorders. Nothing else imports them. Each reach is one method here, which
 * says what it needs and what its caller does when it fails at run time (most turn an optimisation off);
 * {@code FrameworkInternalsTest} exercises every one of them against the versions the build uses, and fails when an
 * upgrade breaks one.
 */
public final class FrameworkInternals {

    private FrameworkInternals() {
    }

    /**
     * The reaches by reflection that cannot be made with the Vert.x of this build (each then turns its optimisation
     * off): empty unless an upgrade removed or renamed what they read.
     */
    public static List<String> unavailable() {
        List<String> missing = new ArrayList<>();
        if (WRAPPER_DELEGATE == null) {
            missing.add("io.vertx.ext.web.impl.ServerWebSocketWrapper.delegate");
        }
        if (WEBSOCKET_METRIC == null) {
            missing.add("io.vertx.core.http.impl.WebSocketImplBase.getMetric()");
        }
        if (REDIS_SOCKET == null) {
            missing.add("io.vertx.redis.client.impl.RedisStandaloneConnection.netSocket");
        }
        if (SENTINEL_CONNECTION == null) {
            missing.add("io.vertx.redis.client.impl.RedisSentinelConnection.connection");
        }
        if (CLUSTER_CONNECTIONS == null) {
            missing.add("io.vertx.redis.client.impl.RedisClusterConnection.connections");
        }
        if (TIMING_MAIN == null || TIMING_HTTP_SERVER == null) {
            missing.add("io.quarkus.bootstrap.runner.Timing.main and .httpServerInfo");
        }
        return missing;
    }

    // ---- connections

    /**
     * Runs {@code task} on the event loop that reads the connection of {@code request}: at once when called there,
     * else as a task of the request's Vert.x context, soon after. Vert.x's HTTP/2 server runs a request's handler
     * while it holds its connection's monitor ({@code Http2ServerConnection.onHeadersRead} is synchronized), and every
     * call on an HTTP/2 response takes that monitor. So a thread that holds a lock a request handler may take (a
     * session's) must not touch a response of a connection another event loop reads: each waits for the other's lock.
     * Vert.x exposes a request's context only on its internal class ({@code HttpServerRequestInternal}, which the
     * server's requests and Vert.x Web's wrappers are): for another request, the task runs at once.
     */
    public static void onLoopOf(HttpServerRequest request, Runnable task) {
        if (request instanceof HttpServerRequestInternal r && r.context() instanceof ContextInternal context
                && !context.nettyEventLoop().inEventLoop()) {
            context.runOnContext(v -> task.run());
        } else {
            task.run();
        }
    }

    /**
     * The Netty channel of an HTTP connection of the application's server, or null when it is not Vert.x's own
     * connection class ({@code ConnectionBase}).
     */
    public static Channel channel(HttpConnection connection) {
        return connection instanceof ConnectionBase c ? c.channel() : null;
    }

    /**
     * The context of Vert.x's own handler of a connection ({@code VertxHandler}: the last one of its pipeline, which
     * hands what the codecs decoded to the HTTP server), or null when the pipeline has none.
     */
    public static ChannelHandlerContext connectionHandler(ChannelPipeline pipeline) {
        return pipeline.context(VertxHandler.class);
    }

    /**
     * The channel of the HTTP server bound to {@code port} on which it accepts connections. Neither Quarkus nor Vert.x
     * exposes it: it is found among the Vert.x instance's shared HTTP servers ({@code VertxInternal.sharedHttpServers()})
     * in their private {@code TCPServerBase.bindFuture}. Fails saying why when it cannot be found.
     */
    public static Channel listeningChannel(Vertx vertx, int port) {
        Map<ServerID, HttpServerImpl> servers = ((VertxInternal) vertx).sharedHttpServers();
        HttpServerImpl server = null;
        synchronized (servers) {
            for (HttpServerImpl s : servers.values()) {
                // Quarkus registers a random port under ServerID(-1, ...): the actual port is what counts
                if (s.actualPort() == port) {
                    server = s;
                }
            }
        }
        if (server == null) {
            throw new IllegalStateException("no HTTP server of this Vert.x instance listens on port " + port);
        }
        return boundChannel(server, port);
    }

    /**
     * The channel on which {@code server} accepts connections: that of the server Vert.x bound for it (itself, or the
     * one it shares a port with, in its private {@code TCPServerBase.actualServer}). For a server on a port the kernel
     * chose, which Vert.x does not list among its shared servers. Fails saying why when it cannot be found.
     */
    public static Channel listeningChannel(HttpServer server) {
        if (!(server instanceof TCPServerBase base)) {
            throw new IllegalStateException("the HTTP server is not Vert.x's own (" + server.getClass().getName() + ")");
        }
        try {
            Field actual = TCPServerBase.class.getDeclaredField("actualServer");
            actual.setAccessible(true);
            TCPServerBase bound = (TCPServerBase) actual.get(base);
            return boundChannel(bound != null ? bound : base, server.actualPort());
        } catch (NoSuchFieldException | IllegalAccessException | ClassCastException e) {
            throw new IllegalStateException("cannot reach the listening channel of the HTTP server (Vert.x internals "
                    + "changed: " + e + ")", e);
        }
    }

    @SuppressWarnings("unchecked")
    private static Channel boundChannel(TCPServerBase server, int port) {
        try {
            Field bindFuture = TCPServerBase.class.getDeclaredField("bindFuture");
            bindFuture.setAccessible(true);
            Future<Channel> bound = (Future<Channel>) bindFuture.get(server);
            Channel channel = bound == null ? null : bound.result();
            if (channel == null) {
                throw new IllegalStateException("the HTTP server on port " + port + " has no bound channel");
            }
            return channel;
        } catch (NoSuchFieldException | IllegalAccessException | ClassCastException e) {
            throw new IllegalStateException("cannot reach the listening channel of the HTTP server (Vert.x internals "
                    + "changed: " + e + ")", e);
        }
    }

    // ---- WebSockets

    private static final Field WRAPPER_DELEGATE = wrapperDelegate();
    private static final Method WEBSOCKET_METRIC = webSocketMetric();

    private static Field wrapperDelegate() {
        try {
            Field f = Class.forName("io.vertx.ext.web.impl.ServerWebSocketWrapper", false,
                    FrameworkInternals.class.getClassLoader()).getDeclaredField("delegate");
            f.setAccessible(true);
            return f;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    private static Method webSocketMetric() {
        try {
            Method m = Class.forName("io.vertx.core.http.impl.WebSocketImplBase", false,
                    FrameworkInternals.class.getClassLoader()).getDeclaredMethod("getMetric");
            m.setAccessible(true);
            return m;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /**
     * The channel under a server WebSocket, also one that Vert.x Web wraps for a routed request (its private
     * {@code delegate}); null where neither can be seen.
     */
    public static Channel channel(ServerWebSocket ws) {
        return unwrap(ws) instanceof WebSocketInternal internal ? internal.channelHandlerContext().channel() : null;
    }

    /** The HTTP server's own WebSocket under Vert.x Web's wrapper of a routed request (or {@code ws} itself). */
    private static ServerWebSocket unwrap(ServerWebSocket ws) {
        if (!(ws instanceof WebSocketInternal) && WRAPPER_DELEGATE != null
                && WRAPPER_DELEGATE.getDeclaringClass().isInstance(ws)) {
            try {
                return (ServerWebSocket) WRAPPER_DELEGATE.get(ws);
            } catch (IllegalAccessException e) {
                return ws;
            }
        }
        return ws;
    }

    /**
     * A whole data frame over {@code bytes}, which it wraps without copying (Vert.x has no public way to make a text
     * frame of bytes already encoded).
     */
    public static WebSocketFrame frame(boolean binary, ByteBuf bytes) {
        return new WebSocketFrameImpl(binary ? WebSocketFrameType.BINARY : WebSocketFrameType.TEXT, bytes, true);
    }

    /**
     * What a handler that takes an upgraded connection from the HTTP server needs of it.
     *
     * @param handler the HTTP server's handler in the connection's pipeline, to be replaced
     * @param onContext runs a task on the Vert.x context the WebSocket delivered on
     * @param reportEnd reports the end of the WebSocket and of the connection to the HTTP server's metrics, as the
     *        server would have; null when there are no metrics
     */
    public record HttpServerConnection(ChannelHandlerContext handler, Consumer<Runnable> onContext, Runnable reportEnd) {
    }

    /**
     * What taking the connection under {@code ws} from the HTTP server needs, on the connection's event loop; null
     * where it cannot be taken: no current Vert.x context, a connection whose handler is not the HTTP server's, or
     * metrics whose end cannot be reported (of a kind not known, or the WebSocket's metric cannot be read: its private
     * {@code getMetric}).
     */
    @SuppressWarnings({ "rawtypes", "unchecked" })
    public static HttpServerConnection httpServerConnection(ServerWebSocket ws, ChannelPipeline pipeline) {
        ContextInternal context = ContextInternal.current();
        ChannelHandlerContext handler = connectionHandler(pipeline);
        if (context == null || handler == null) {
            return null;
        }
        ConnectionBase connection = ((VertxHandler<?>) handler.handler()).getConnection();
        if (connection == null) {
            return null;
        }
        Consumer<Runnable> onContext = task -> context.emit(v -> task.run());
        NetworkMetrics<?> metrics = connection.metrics();
        if (metrics == null) {
            return new HttpServerConnection(handler, onContext, null);
        }
        ServerWebSocket own = unwrap(ws);
        if (!(metrics instanceof HttpServerMetrics http) || WEBSOCKET_METRIC == null
                || !WEBSOCKET_METRIC.getDeclaringClass().isInstance(own)) {
            return null;
        }
        Object webSocketMetric;
        try {
            webSocketMetric = WEBSOCKET_METRIC.invoke(own);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
        Object socketMetric = connection.metric();
        SocketAddress remote = connection.remoteAddress();
        return new HttpServerConnection(handler, onContext, () -> {
            if (webSocketMetric != null) {
                http.disconnected(webSocketMetric);
            }
            http.disconnected(socketMetric, remote);
        });
    }

    // ---- Redis

    /**
     * The hash slot of a key or channel on a Redis Cluster (CRC16 of the part between the first braces, when there is
     * one), as vertx-redis-client computes it ({@code ZModem}) to route commands.
     */
    public static int redisSlot(String key) {
        return ZModem.generate(key);
    }

    private static final Field REDIS_SOCKET = field(RedisStandaloneConnection.class, "netSocket");
    private static final Field SENTINEL_CONNECTION = field(RedisSentinelConnection.class, "connection");
    private static final Field CLUSTER_CONNECTIONS = field(RedisClusterConnection.class, "connections");

    private static Field field(Class<?> type, String name) {
        try {
            Field f = type.getDeclaredField(name);
            f.setAccessible(true);
            return f;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /**
     * Closes a Redis connection at once, discarding what it has not sent: its commands queued in Netty. The client's
     * own close does not: Vert.x closes a connection once what was written before has been flushed, so a connection
     * given up on while Redis cannot be reached (a link cut, a frozen Redis) stays open with its commands queued, and
     * delivers them when Redis reads again, after those of the connection that replaced it: late, and after later
     * broadcasts. The connection is reset
     * ({@code SO_LINGER} 0, set before this returns, so a close that overtakes the forced one resets it too), and what
     * the kernel holds in the socket's buffers is discarded as well. A sentinel's connection is aborted through the
     * master connection it wraps, a Redis Cluster's through the connection to each node it opened. Returns the number
     * of network connections aborted: 0 when the connection is not one this can reach (then only the client's close
     * runs).
     */
    public static int abort(RedisConnection connection) {
        try {
            if (connection instanceof PooledRedisConnection pooled) {
                return abort(pooled.actual());
            }
            if (connection instanceof RedisSentinelConnection && SENTINEL_CONNECTION != null
                    && SENTINEL_CONNECTION.get(connection) instanceof AtomicReference<?> master
                    && master.get() instanceof RedisConnection actual) {
                return abort(actual);
            }
            if (connection instanceof RedisClusterConnection && CLUSTER_CONNECTIONS != null
                    && CLUSTER_CONNECTIONS.get(connection) instanceof Map<?, ?> nodes) {
                int aborted = 0;
                for (Object node : List.copyOf(nodes.values())) {
                    if (node instanceof RedisConnection c) {
                        aborted += abort(c);
                    }
                }
                return aborted;
            }
            if (connection instanceof RedisStandaloneConnection && REDIS_SOCKET != null
                    && REDIS_SOCKET.get(connection) instanceof NetSocketInternal socket) {
                Channel channel = socket.channelHandlerContext().channel();
                // SO_LINGER 0 at once, on this thread: whichever close of the socket comes first, the client's
                // graceful one included, then resets the connection, and the kernel discards what it still holds to
                // send; otherwise a closed socket keeps retransmitting it, and a link that heals delivers it late.
                // What Redis itself had received before is beyond reach. Only here: a graceful close still sends
                // everything.
                try {
                    channel.config().setOption(ChannelOption.SO_LINGER, 0);
                } catch (RuntimeException e) {
                    // closed already, or not a TCP socket (a domain socket): nothing left to discard
                }
                Runnable close = () -> {
                    // closeForcibly skips the pipeline (which would wait for the flush) and fires no event; the channel
                    // is then no longer active, so the close that follows (which releases what was queued) fires none
                    // either: the inactive event tells Vert.x, whose connection fails its pending requests as on any
                    // close
                    if (!channel.isOpen()) {
                        return;
                    }
                    closeForcibly(channel);
                    channel.pipeline().fireChannelInactive();
                    channel.close();
                };
                if (channel.eventLoop().inEventLoop()) {
                    close.run();
                } else {
                    channel.eventLoop().execute(close);
                }
                return 1;
            }
        } catch (IllegalAccessException e) {
            // as when a field is missing
        }
        return 0;
    }

    // ---- Netty's channels, below their pipelines

    /**
     * Every byte Netty queues for a channel's peer and the socket has not taken yet, or 0 when it keeps no queue
     * (closed).
     */
    public static long pendingWriteBytes(Channel channel) {
        ChannelOutboundBuffer queued = channel.unsafe().outboundBuffer();
        return queued == null ? 0 : queued.totalPendingWriteBytes();
    }

    /**
     * Closes a channel at its transport, below the pipeline: the HTTP server's handlers would first wait for queued
     * writes or a response that never comes. On the channel's event loop.
     */
    public static void closeBelowPipeline(Channel channel) {
        channel.unsafe().close(channel.unsafe().voidPromise());
    }

    /** Closes a channel's descriptor at once, firing nothing (a channel never registered, or one being torn down). */
    public static void closeForcibly(Channel channel) {
        channel.unsafe().closeForcibly();
    }

    /**
     * A Vert.x event-loop context on Netty's {@code loop} (one of {@code vertx}'s), for connections Vert.x did not
     * accept (a WebTransport session's QUIC streams): their handlers make it current ({@link #beginDispatch}) while
     * they run the application's code, as Vert.x does for its own connections.
     */
    public static Context eventLoopContext(Vertx vertx, io.netty.channel.EventLoop loop) {
        return ((VertxInternal) vertx).createEventLoopContext(loop, null, Thread.currentThread().getContextClassLoader());
    }

    /** Makes {@code context} current on this thread (its loop's); returns what was, for {@link #endDispatch}. */
    public static Context beginDispatch(Context context) {
        return ((ContextInternal) context).beginDispatch();
    }

    /** Puts back the context current before {@link #beginDispatch}. */
    public static void endDispatch(Context context, Context previous) {
        ((ContextInternal) context).endDispatch((ContextInternal) previous);
    }

    // ---- Quarkus

    /** The executor of Quarkus' virtual threads, as its {@code @RunOnVirtualThread} methods use it. */
    public static Executor virtualThreads() {
        return VirtualThreadsRecorder.getCurrent();
    }

    private static final String LISTENING_ON = "Listening on: ";
    private static final Field TIMING_MAIN = field(io.quarkus.bootstrap.runner.Timing.class, "main");
    private static final Field TIMING_HTTP_SERVER = field(io.quarkus.bootstrap.runner.Timing.class, "httpServerInfo");

    /** The "Listening on: ..." part of the line Quarkus logs once started, as it is now (null when unreadable). */
    public static String startupListening() {
        try {
            return TIMING_MAIN == null || TIMING_HTTP_SERVER == null ? null
                    : (String) TIMING_HTTP_SERVER.get(TIMING_MAIN.get(null));
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /**
     * Names {@code address} in the "Listening on:" part of the line Quarkus logs once started, where Quarkus, which
     * opened no listener of its own, left it empty (the primary of a cluster holds the application's port itself).
     * Called once Quarkus has set that part (after it opened its sockets), before the line is logged. The management
     * interface's part is kept. Quarkus' {@code Timing} has nothing to read the part back: it is read by reflection,
     * and when that fails the line stays as Quarkus wrote it.
     */
    public static void announceListening(String address) {
        String was = startupListening();
        if (was != null && (was.startsWith(LISTENING_ON + ".") || was.equals(LISTENING_ON) || was.isEmpty())) {
            String rest = was.startsWith(LISTENING_ON) ? was.substring(LISTENING_ON.length()) : "";
            io.quarkus.bootstrap.runner.Timing.setHttpServer(LISTENING_ON + address + rest, false);
        }
    }
}
