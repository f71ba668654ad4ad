package dev.qsio.runtime.server;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;

/**
 * The route of the Socket.IO path: serves the client bundle (Node's {@code serveClient}) and hands everything else
 * to the engine.
 */
public final class SocketIoRoute implements Handler<RoutingContext> {

    private static final String BUNDLE_DIR = "META-INF/qsio/client/";
    private static final Map<String, String> FILES = Map.of(
            "socket.io.js", "application/javascript; charset=utf-8",
            "socket.io.js.map", "application/json",
            "socket.io.min.js", "application/javascript; charset=utf-8",
            "socket.io.min.js.map", "application/json",
            "socket.io.esm.min.js", "application/javascript; charset=utf-8",
            "socket.io.esm.min.js.map", "application/json");

    private final String path;
    private final boolean serveClient;
    private final Handler<RoutingContext> engine;
    private final Map<String, Buffer> cache = new ConcurrentHashMap<>();
    private volatile String etag;

    public SocketIoRoute(String path, boolean serveClient, Handler<RoutingContext> engine) {
        this.path = path;
        this.serveClient = serveClient;
        this.engine = engine;
    }

    @Override
    public void handle(RoutingContext ctx) {
        if (serveClient && (ctx.request().method() == HttpMethod.GET || ctx.request().method() == HttpMethod.HEAD)) {
            String requested = ctx.normalizedPath();
            if (requested.length() > path.length() && requested.startsWith(path)) {
                String file = requested.substring(path.length());
                String type = FILES.get(file);
                if (type != null && serve(ctx, file, type)) {
                    return;
                }
            }
        }
        engine.handle(ctx);
    }

    private boolean serve(RoutingContext ctx, String file, String type) {
        Buffer body = cache.computeIfAbsent(file, this::load);
        if (body.length() == 0) {
            return false;
        }
        String tag = etag();
        String ifNoneMatch = ctx.request().getHeader(HttpHeaders.IF_NONE_MATCH);
        var response = ctx.response().putHeader(HttpHeaders.CACHE_CONTROL, "public, max-age=0").putHeader(HttpHeaders.ETAG,
                tag);
        if (tag.equals(ifNoneMatch)) {
            response.setStatusCode(304).end();
            return true;
        }
        response.putHeader(HttpHeaders.CONTENT_TYPE, type);
        if (ctx.request().method() == HttpMethod.HEAD) {
            response.putHeader(HttpHeaders.CONTENT_LENGTH, String.valueOf(body.length())).end();
        } else {
            response.end(body);
        }
        return true;
    }

    private String etag() {
        String e = etag;
        if (e == null) {
            Buffer version = load("VERSION");
            e = etag = "\"" + (version.length() == 0 ? "unknown" : version.toString().trim()) + "\"";
        }
        return e;
    }

    private Buffer load(String file) {
        try (InputStream in = Thread.currentThread().getContextClassLoader().getResourceAsStream(BUNDLE_DIR + file)) {
            return in == null ? Buffer.buffer() : Buffer.buffer(in.readAllBytes());
        } catch (IOException e) {
            return Buffer.buffer();
        }
    }
}
