package dev.qsio.runtime.admin;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.eclipse.microprofile.config.ConfigProvider;

import dev.qsio.runtime.config.AdminUiConfig;
import io.quarkus.arc.Arc;
import io.quarkus.runtime.LaunchMode;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;

/**
 * The Admin UI's page on the management interface ({@code /q/socketio/admin/}): {@code @socket.io/admin-ui}'s
 * {@code ui/dist}, bundled at build time, unchanged but for its {@code index.html}, which is preset to this server
 * (the UI keeps its connection settings in {@code localStorage}: the page sets them before the UI reads them, when
 * the browser has none) and loads its icon font from here rather than from a CDN.
 */
final class AdminUiPage implements Handler<RoutingContext> {

    private static final String ROOT = "META-INF/qsio/admin-ui/";
    private static final String MOUNT = "socketio/admin";
    private static final Map<String, String> TYPES = Map.of("html", "text/html; charset=utf-8", "js",
            "application/javascript; charset=utf-8", "css", "text/css; charset=utf-8", "png", "image/png", "svg",
            "image/svg+xml", "woff2", "font/woff2", "woff", "font/woff", "ico", "image/x-icon");

    private final String socketIoPath;
    private final Map<String, Buffer> files = new ConcurrentHashMap<>();

    AdminUiPage(String socketIoPath) {
        this.socketIoPath = socketIoPath;
    }

    @Override
    public void handle(RoutingContext ctx) {
        AdminUiConfig config = Arc.container().instance(AdminUiConfig.class).get();
        if (!config.enabled()) {
            ctx.response().setStatusCode(404).end("the Socket.IO Admin UI is disabled (quarkus.socketio.admin-ui.enabled)");
            return;
        }
        String path = ctx.normalizedPath();
        String file = path.substring(path.indexOf(MOUNT) + MOUNT.length());
        if (file.isEmpty()) {
            ctx.response().setStatusCode(302).putHeader(HttpHeaders.LOCATION, path + "/").end();
            return;
        }
        file = file.substring(1);
        if (file.isEmpty() || file.equals("index.html")) {
            ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, TYPES.get("html"))
                    .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache").end(index(config));
            return;
        }
        Buffer body = file.contains("..") ? null : files.computeIfAbsent(file, AdminUiPage::read);
        if (body == null || body.length() == 0) {
            files.remove(file);
            ctx.response().setStatusCode(404).end();
            return;
        }
        String type = TYPES.getOrDefault(file.substring(file.lastIndexOf('.') + 1), "application/octet-stream");
        ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, type)
                // the bundle's file names carry their content hash
                .putHeader(HttpHeaders.CACHE_CONTROL, "public, max-age=86400").end(body);
    }

    private String index(AdminUiConfig config) {
        String html = read("index.html").toString(StandardCharsets.UTF_8)
                .replaceAll("<link rel=\"stylesheet\" href=\"https://fonts\\.googleapis\\.com/[^\"]*\">", "")
                .replaceAll("https://cdn\\.jsdelivr\\.net/npm/@mdi/font@[^/]*/css/", "mdi/css/");
        String path = socketIoPath.endsWith("/") && socketIoPath.length() > 1
                ? socketIoPath.substring(0, socketIoPath.length() - 1)
                : socketIoPath;
        // WebSocket only: the page's origin (the management port) differs from the server's, and polling would need
        // CORS with credentials on the server, which a WebSocket does not
        String preset = "<script>(function(){try{var s=window.localStorage;if(!s.getItem('server_url')){"
                + "s.setItem('server_url',location.protocol+'//'+location.hostname+':" + httpPort() + "');"
                + "s.setItem('namespace'," + js(config.namespace()) + ");s.setItem('path'," + js(path) + ");"
                + "s.setItem('ws_only','true');}}catch(e){}})();</script>";
        return html.replace("</head>", preset + "</head>");
    }

    /** The port clients connect to (in a cluster, the primary's public port, which workers share). */
    private static int httpPort() {
        var cfg = ConfigProvider.getConfig();
        String key = LaunchMode.current() == LaunchMode.TEST ? "quarkus.http.test-port" : "quarkus.http.port";
        return cfg.getOptionalValue(key, Integer.class).orElse(LaunchMode.current() == LaunchMode.TEST ? 8081 : 8080);
    }

    private static String js(String value) {
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'").replace("<", "\\u003c") + "'";
    }

    private static Buffer read(String file) {
        try (InputStream in = Thread.currentThread().getContextClassLoader().getResourceAsStream(ROOT + file)) {
            return in == null ? Buffer.buffer() : Buffer.buffer(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
