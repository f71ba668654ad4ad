package dev.qsio.runtime.engine;

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

    public EngineRoute(String path, Supplier<? extends SessionHandler<?>> handler) {
        this.path = path;
        this.handler = handler;
    }

    @Override
    public void handle(RoutingContext ctx) {
        EngineServer<?> s = server;
        if (s == null) {
            s = server = Arc.container().instance(EngineEndpoints.class).get().server(path, handler);
        }
        s.handle(ctx);
    }
}
