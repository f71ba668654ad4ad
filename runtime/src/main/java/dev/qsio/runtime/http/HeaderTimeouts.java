package dev.qsio.runtime.http;

import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.ObservesAsync;
import jakarta.inject.Singleton;

import dev.qsio.runtime.config.SocketIoRuntimeConfig;
import io.quarkus.vertx.http.HttpServer;
import io.quarkus.vertx.http.HttpServerStart;
import io.quarkus.vertx.http.HttpsServerStart;
import io.quarkus.vertx.http.ManagementInterface;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;

/**
 * The application's one {@link HeaderTimeout}: its route filter sees every request, and the ports of the HTTP server
 * are watched from the moment they listen, so that a connection accepted before any request (one that never sends a
 * byte, or trickles its first head) is timed too.
 */
@Singleton
public class HeaderTimeouts {

    private final HeaderTimeout timeout;

    private final HttpServer server;

    HeaderTimeouts(Vertx vertx, SocketIoRuntimeConfig config, HttpServer server) {
        this.timeout = new HeaderTimeout(vertx, config.headerTimeout().toMillis());
        this.server = server;
    }

    /**
     * The filter, once the HTTP server's own ports are watched: the first request may come before the server's start
     * events reach their (asynchronous) observers below, as a cluster worker's first connections, handed over by its
     * primary, did; their port is the primary's, which is no listener of this process.
     */
    public HeaderTimeout timeout() {
        if (!watched) {
            watched = true;
            watchListening();
        }
        return timeout;
    }

    private volatile boolean watched;

    private void watchListening() {
        timeout.watchPort(server.getPort());
        if (server.getSecurePort() > 0) {
            timeout.watchPort(server.getSecurePort());
        }
    }

    // the ports as bound: a port configured as 0 (a worker's private listeners) is the kernel's choice
    void httpListening(@ObservesAsync HttpServerStart event) {
        timeout.watchPort(server.getPort());
    }

    void httpsListening(@ObservesAsync HttpsServerStart event) {
        timeout.watchPort(server.getSecurePort());
    }

    // what the client sent and Vert.x refused before any route: answered without an ERROR line (ClientFailures)
    void mainRouter(@Observes Router router) {
        ClientFailures.install(router);
    }

    void managementRouter(@Observes ManagementInterface management) {
        ClientFailures.install(management.router());
    }
}
