package dev.qsio.runtime.http;

import java.lang.reflect.Field;
import java.util.Map;

import io.netty.channel.Channel;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.impl.HttpServerImpl;
import io.vertx.core.impl.VertxInternal;
import io.vertx.core.net.impl.ServerID;
import io.vertx.core.net.impl.TCPServerBase;

/**
 * The Netty channel on which the application's HTTP server listens, so that a connection handed over by another
 * worker is served as if this server had accepted it: firing it into the listening channel's pipeline runs Vert.x's
 * own accept path (pipeline setup, connection handler, limits, metrics).
 * <p>
 * Neither Quarkus nor Vert.x exposes that channel. It is found through Vert.x internals: the shared HTTP servers of
 * the Vert.x instance ({@code VertxInternal.sharedHttpServers()}) and the private {@code TCPServerBase.bindFuture}
 * that holds the bound channel. This class is the only place that depends on them; {@code ListeningChannelTest}
 * fails when a Vert.x upgrade changes them, and at run time a failure turns the hand-off off (requests are then
 * forwarded over the bus, as without it).
 */
public final class ListeningChannel {

    private ListeningChannel() {
    }

    /** The listening channel of the HTTP server bound to {@code port}; fails saying why when it cannot be found. */
    @SuppressWarnings("unchecked")
    public static Channel find(Vertx vertx, int port) {
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
}
