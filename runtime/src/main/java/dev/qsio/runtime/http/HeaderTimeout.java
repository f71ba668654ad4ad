package dev.qsio.runtime.http;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import org.jboss.logging.Logger;

import dev.qsio.runtime.internals.FrameworkInternals;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.ScheduledFuture;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.RoutingContext;

/**
 * A deadline for request heads on the application's HTTP server, against clients that open connections and send
 * their headers a byte at a time (slow-loris), which Vert.x 4 does not bound: a connection must complete a request
 * head within the timeout of its opening, and, kept alive, within the timeout of the first byte of each next
 * request; otherwise it is closed. An idle kept-alive connection is left alone (the HTTP server's idle timeout is
 * for that), and so is everything after the head: bodies have their own timeouts, long polls and WebSockets last.
 * <p>
 * How: when the HTTP server listens (or at the first request seen on a port whose number was not known then), a
 * handler goes on that port's listening channel (found by {@link FrameworkInternals#listeningChannel}); it gives every connection
 * accepted from then on a {@link Watch} at the front of its
 * pipeline, which starts the clock when bytes arrive while no request is in progress. The route filter stops it
 * when Vert.x hands over the request (its head is complete), restarts the wait when the response has ended, and
 * removes the watch from WebSocket and HTTP/2 connections, whose later bytes are not request heads.
 */
public final class HeaderTimeout implements Handler<RoutingContext> {

    private static final Logger LOG = Logger.getLogger(HeaderTimeout.class);
    private static final AttributeKey<Watch> WATCH = AttributeKey.valueOf("qsio-header-timeout");
    private static final String ACCEPTOR = "qsio-header-timeout";
    private static final String WATCH_NAME = "qsio-head-watch";

    private final Vertx vertx;
    private final long timeoutMs;
    private final Set<Integer> ports = ConcurrentHashMap.newKeySet();

    /** A timeout of 0 turns the deadline off: the filter then only passes requests on. */
    public HeaderTimeout(Vertx vertx, long timeoutMs) {
        this.vertx = vertx;
        this.timeoutMs = timeoutMs;
    }

    @Override
    public void handle(RoutingContext ctx) {
        if (timeoutMs > 0) {
            try {
                watch(ctx);
            } catch (RuntimeException e) {
                // a guard must never fail the request it guards
                LOG.debugf("request head timing failed for %s: %s", ctx.request().uri(), e);
            }
        }
        ctx.next();
    }

    /**
     * Watches the connections a port accepts from now on, once per port: called when the HTTP server listens, and
     * on the first request seen on a port (a port chosen at random is known only then).
     */
    public void watchPort(int port) {
        watchPort(port, true);
    }

    /**
     * {@code listening}: the port is known to be this process's listener's; otherwise it is the local port of a
     * connection, which may have been accepted by another process (a cluster's primary), and finding no listener for
     * it is no cause for a warning.
     */
    private void watchPort(int port, boolean listening) {
        if (timeoutMs > 0 && port > 0 && ports.add(port)) {
            install(port, listening);
        }
    }

    private void watch(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        Channel channel = FrameworkInternals.channel(request.connection());
        Watch watch = channel == null ? null : channel.attr(WATCH).get();
        if (watch == null) {
            // a connection accepted on a port not yet watched (one chosen at random: it is known from now on); a
            // watched connection's port is watched already, and asking its address costs a lookup per request. A
            // cluster's worker also meets connections its primary accepted and handed over, whose port is the
            // primary's: those it cannot watch there (they go through its own listener once that is watched)
            if (request.localAddress() != null) {
                watchPort(request.localAddress().port(), false);
            }
            return;
        }
        if (request.version() == HttpVersion.HTTP_2 || request.headers().contains(HttpHeaders.UPGRADE)) {
            watch.onEventLoop(watch::stop);
            return;
        }
        watch.onEventLoop(watch::headReceived);
        ctx.addEndHandler(ar -> watch.onEventLoop(watch::responded));
    }

    /** Watches the connections the listening channel of this port accepts from now on. */
    private void install(int port, boolean ours) {
        Channel listening;
        try {
            listening = FrameworkInternals.listeningChannel(vertx, port);
        } catch (RuntimeException e) {
            if (ours) {
                LOG.warnf("Request heads on port %d are not timed (quarkus.socketio.header-timeout): %s", port,
                        e.getMessage());
            } else {
                LOG.debugf("a connection on port %d, which this process does not listen on (handed over by the"
                        + " primary that did): its request heads are timed by the listener it came through, if any",
                        port);
            }
            return;
        }
        // one acceptor per listening channel, whichever event loop gets here first
        synchronized (listening) {
            if (listening.pipeline().get(ACCEPTOR) == null) {
                listening.pipeline().addFirst(ACCEPTOR, new Acceptor(timeoutMs));
                LOG.debugf("request heads on port %d must arrive within %d ms", port, timeoutMs);
            }
        }
    }

    /** On the listening channel: gives each accepted connection its watch, before Vert.x sets up its pipeline. */
    @ChannelHandler.Sharable
    private static final class Acceptor extends ChannelInboundHandlerAdapter {
        private final long timeoutMs;

        Acceptor(long timeoutMs) {
            this.timeoutMs = timeoutMs;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof Channel connection && connection.pipeline().get(WATCH_NAME) == null) {
                connection.pipeline().addLast(WATCH_NAME, new Watch(timeoutMs));
            }
            ctx.fireChannelRead(msg);
        }
    }

    /** One connection's clock; used on its event loop only. */
    static final class Watch extends ChannelInboundHandlerAdapter {
        private final long timeoutMs;
        private ChannelHandlerContext ctx;
        private ScheduledFuture<?> deadline;
        /** A request was handed over and its response has not ended. */
        private boolean inRequest;
        private boolean stopped;

        Watch(long timeoutMs) {
            this.timeoutMs = timeoutMs;
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            this.ctx = ctx;
            ctx.channel().attr(WATCH).set(this);
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            // a new connection owes its first head from now
            arm();
            ctx.fireChannelActive();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!inRequest && deadline == null) {
                arm();
            }
            ctx.fireChannelRead(msg);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            cancel();
            ctx.fireChannelInactive();
        }

        void onEventLoop(Runnable action) {
            if (ctx == null) {
                return;
            }
            if (ctx.executor().inEventLoop()) {
                action.run();
            } else {
                ctx.executor().execute(action);
            }
        }

        void headReceived() {
            inRequest = true;
            cancel();
        }

        void responded() {
            // the next bytes start the next head's clock
            inRequest = false;
        }

        void stop() {
            if (!stopped) {
                stopped = true;
                cancel();
                ctx.channel().attr(WATCH).set(null);
                ctx.pipeline().remove(this);
            }
        }

        private void arm() {
            if (stopped || deadline != null) {
                return;
            }
            deadline = ctx.executor().schedule(this::expired, timeoutMs, TimeUnit.MILLISECONDS);
        }

        private void cancel() {
            if (deadline != null) {
                deadline.cancel(false);
                deadline = null;
            }
        }

        private void expired() {
            deadline = null;
            if (!inRequest && !stopped && ctx.channel().isActive()) {
                LOG.debugf("closing %s: no complete request head within %d ms", ctx.channel().remoteAddress(),
                        timeoutMs);
                ctx.channel().close();
            }
        }
    }
}
