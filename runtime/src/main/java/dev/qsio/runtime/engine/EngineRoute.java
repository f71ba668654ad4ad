package dev.qsio.runtime.engine;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import io.quarkus.arc.Arc;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

/**
 * The route handler registered for an engine path; finds its {@link EngineServer} on the first request.
 */
public final class EngineRoute implements Handler<RoutingContext> {

    private final String path;
    private final Supplier<? extends SessionHandler<?>> handler;
    private volatile EngineServer<?> server;

    /** The routes of the application by path (without its trailing slash), for transports that do not come by HTTP. */
    private static final Map<String, EngineRoute> BY_PATH = new ConcurrentHashMap<>();

    public EngineRoute(String path, Supplier<? extends SessionHandler<?>> handler) {
        this.path = path;
        this.handler = handler;
        BY_PATH.put(trimmed(path), this);
    }

    @Override
    public void handle(RoutingContext ctx) {
        server().handle(ctx);
    }

    /** The headers every response of this path carries (CORS, see {@link EngineServer#prepare}), for one it serves itself. */
    public void prepare(RoutingContext ctx) {
        server().prepare(ctx.request(), ctx.response());
    }

    EngineServer<?> server() {
        EngineServer<?> s = server;
        if (s == null) {
            s = server = Arc.container().instance(EngineEndpoints.class).get().server(path, handler);
        }
        return s;
    }

    /** The engine server at a request's path (its query left out), or null when none is there. */
    static EngineServer<?> at(String requestPath) {
        int q = requestPath.indexOf('?');
        EngineRoute route = BY_PATH.get(trimmed(q < 0 ? requestPath : requestPath.substring(0, q)));
        return route == null ? null : route.server();
    }

    /** The application's engine paths (without their trailing slash). */
    static Set<String> paths() {
        return Set.copyOf(BY_PATH.keySet());
    }

    private static String trimmed(String path) {
        return path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }
}
