package dev.qsio.runtime.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;

import org.jboss.logging.Logger;

import com.aayushatharva.brotli4j.Brotli4jLoader;
import com.aayushatharva.brotli4j.encoder.Encoder;

import dev.qsio.runtime.engine.EngineRoute;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;

/**
 * The route of the Socket.IO path: serves the client bundle (Node's {@code serveClient}: the files Node's server
 * serves, compressed as the request accepts, with the engine's CORS headers and the client's version as ETag) and
 * hands everything else to the engine.
 */
public final class SocketIoRoute implements Handler<RoutingContext> {

    private static final Logger LOG = Logger.getLogger(SocketIoRoute.class);

    private static final String BUNDLE_DIR = "META-INF/qsio/client/";
    private static final String SOURCE = "application/javascript; charset=utf-8";
    private static final String MAP = "application/json; charset=utf-8";
    private static final Map<String, String> FILES = Map.of(
            "socket.io.js", SOURCE,
            "socket.io.js.map", MAP,
            "socket.io.min.js", SOURCE,
            "socket.io.min.js.map", MAP,
            "socket.io.msgpack.min.js", SOURCE,
            "socket.io.msgpack.min.js.map", MAP,
            "socket.io.esm.min.js", SOURCE,
            "socket.io.esm.min.js.map", MAP);
    /** The encodings offered, in the server's order of preference (Node's: br, gzip, deflate). */
    private static final List<String> ENCODINGS = List.of("br", "gzip", "deflate");

    private final String path;
    private final boolean serveClient;
    private final EngineRoute engine;
    /** The files' bodies by file and encoding ({@code file} for the plain one, {@code file|gzip} and so on). */
    private final Map<String, Buffer> cache = new ConcurrentHashMap<>();
    private volatile String etag;

    public SocketIoRoute(String path, boolean serveClient, EngineRoute engine) {
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
        Buffer plain = cache.computeIfAbsent(file, this::load);
        if (plain.length() == 0) {
            return false;
        }
        String tag = etag();
        var response = ctx.response();
        engine.prepare(ctx);
        String ifNoneMatch = ctx.request().getHeader(HttpHeaders.IF_NONE_MATCH);
        if (ifNoneMatch != null && (ifNoneMatch.equals(tag) || ifNoneMatch.equals("W/" + tag))) {
            response.setStatusCode(304).end();
            return true;
        }
        response.putHeader(HttpHeaders.CACHE_CONTROL, "public, max-age=0").putHeader(HttpHeaders.ETAG, tag)
                .putHeader(HttpHeaders.CONTENT_TYPE, type).putHeader(HttpHeaders.VARY, "Accept-Encoding");
        String encoding = encoding(ctx.request().getHeader(HttpHeaders.ACCEPT_ENCODING));
        Buffer body = plain;
        if (encoding != null) {
            body = cache.computeIfAbsent(file + "|" + encoding, k -> compressed(plain, encoding));
            if (body == null) {
                body = plain;
            } else {
                response.putHeader(HttpHeaders.CONTENT_ENCODING, encoding);
            }
        }
        if (ctx.request().method() == HttpMethod.HEAD) {
            response.putHeader(HttpHeaders.CONTENT_LENGTH, String.valueOf(body.length())).end();
        } else {
            response.end(body);
        }
        return true;
    }

    /**
     * The encoding to answer with, of those offered, by the request's {@code Accept-Encoding}: the one of highest
     * weight, the request's order breaking ties (as Node's {@code accepts}); null for none (identity).
     */
    static String encoding(String acceptEncoding) {
        if (acceptEncoding == null || acceptEncoding.isBlank()) {
            return null;
        }
        String best = null;
        double bestWeight = 0;
        double anyWeight = -1;
        for (String part : acceptEncoding.split(",")) {
            String[] fields = part.trim().split(";");
            String name = fields[0].trim().toLowerCase(Locale.ROOT);
            double weight = 1;
            for (int i = 1; i < fields.length; i++) {
                String f = fields[i].trim();
                if (f.startsWith("q=")) {
                    try {
                        weight = Double.parseDouble(f.substring(2));
                    } catch (NumberFormatException e) {
                        weight = 0;
                    }
                }
            }
            if (name.equals("*")) {
                anyWeight = weight;
            } else if (ENCODINGS.contains(name) && weight > bestWeight && !(name.equals("br") && !brotli())) {
                best = name;
                bestWeight = weight;
            }
        }
        if (best == null && anyWeight > 0) {
            return brotli() ? "br" : "gzip";
        }
        return best;
    }

    private static volatile Boolean brotli;

    /** Whether brotli4j's native encoder loads here (it ships for the common platforms). */
    private static boolean brotli() {
        Boolean b = brotli;
        if (b == null) {
            try {
                b = Brotli4jLoader.isAvailable();
            } catch (Throwable t) {
                b = false;
            }
            if (!b) {
                LOG.debugf("no brotli encoder on this platform: the client bundle is served gzip-compressed instead");
            }
            brotli = b;
        }
        return b;
    }

    /** The body compressed with {@code encoding}, or null when it cannot be. */
    private static Buffer compressed(Buffer plain, String encoding) {
        byte[] bytes = plain.getBytes();
        try {
            switch (encoding) {
                case "br" -> {
                    return Buffer.buffer(Encoder.compress(bytes));
                }
                case "gzip" -> {
                    ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length / 3);
                    try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
                        gzip.write(bytes);
                    }
                    return Buffer.buffer(out.toByteArray());
                }
                case "deflate" -> {
                    ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length / 3);
                    try (DeflaterOutputStream deflate = new DeflaterOutputStream(out)) {
                        deflate.write(bytes);
                    }
                    return Buffer.buffer(out.toByteArray());
                }
                default -> {
                    return null;
                }
            }
        } catch (IOException | RuntimeException | UnsatisfiedLinkError e) {
            LOG.debugf(e, "could not compress the client bundle with %s", encoding);
            return null;
        }
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
