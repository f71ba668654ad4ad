package dev.qsio.runtime.server;

import io.vertx.core.http.HttpServer;

/**
 * Where the warm-up's clients ({@link WarmUp}) connect. In one process, straight to the warm-up's private server. In a
 * worker, through its primary's warm-up port: the primary's acceptor reads each connection's first line and hands it
 * over, as it does the clients' connections, and the worker serves it on the private server, so that the warm-up
 * compiles the path the clients' connections take in a cluster (the primary's acceptor and hand-off, the worker's
 * receiving side), which a warm-up on the worker's own port left cold: 4,000 connections through a 2-worker cluster's
 * port raised its first ramp 1.56x, where a warm-up of each worker on its own port did not move it
 * ({@code bench/runs/20261203-pre-ramp}).
 */
public interface WarmUpRoute {

    /** One process: no route but the private server's own port. */
    WarmUpRoute DIRECT = new WarmUpRoute() {
        @Override
        public Via via() {
            return null;
        }

        @Override
        public void serving(HttpServer server) {
        }

        @Override
        public long handedOver() {
            return 0;
        }
    };

    /** A loopback port to connect to instead of the private server's, and a query parameter every request carries. */
    record Via(int port, String param) {
    }

    /** The way through the primary, or null: connect to the private server's own port. */
    Via via();

    /** The warm-up's private server listens; {@code null}: it stopped. */
    void serving(HttpServer server);

    /** Connections the primary handed over to the warm-up so far. */
    long handedOver();
}
