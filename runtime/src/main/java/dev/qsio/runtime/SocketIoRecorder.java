package dev.qsio.runtime;

import java.util.List;
import java.util.function.Supplier;

import org.eclipse.microprofile.config.ConfigProvider;

import dev.qsio.EngineIoHandler;
import dev.qsio.runtime.engine.EngineRoute;
import dev.qsio.runtime.engine.SessionHandler;
import dev.qsio.runtime.http.HeaderTimeout;
import dev.qsio.runtime.http.HeaderTimeouts;
import dev.qsio.runtime.server.HandlerDefinition;
import dev.qsio.runtime.server.SocketIoMetadata;
import dev.qsio.runtime.server.SocketIoRoute;
import dev.qsio.runtime.server.SocketIoServerImpl;
import io.quarkus.arc.Arc;
import io.quarkus.runtime.annotations.Recorder;
import io.smallrye.config.SmallRyeConfig;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

/**
 * Creates the route handlers that the deployment processor registers on the HTTP router.
 */
@Recorder
public class SocketIoRecorder {

    /** Checks every runtime setting ({@link Settings}); a bad value fails startup with a message naming its key. */
    public void checkSettings() {
        Settings.check(ConfigProvider.getConfig().unwrap(SmallRyeConfig.class));
    }

    /** The route of the Socket.IO path: the client bundle, and Engine.IO feeding the Socket.IO server. */
    public Handler<RoutingContext> socketIoRoute(String path, boolean serveClient) {
        return new SocketIoRoute(path, serveClient,
                new EngineRoute(path, () -> Arc.container().instance(SocketIoServerImpl.class).get().engineHandler()));
    }

    /**
     * The filter that times request heads on the application's HTTP server ({@code quarkus.socketio.header-timeout};
     * the value was checked at startup).
     */
    public Handler<RoutingContext> headerTimeout() {
        return new Handler<>() {
            private volatile HeaderTimeout timeout;

            @Override
            public void handle(RoutingContext ctx) {
                HeaderTimeout t = timeout;
                if (t == null) {
                    // the application's one, which also watches the ports from the moment they listen
                    t = timeout = Arc.container().instance(HeaderTimeouts.class).get().timeout();
                }
                t.handle(ctx);
            }
        };
    }

    /** The handler methods found at build time, as a bean. */
    public Supplier<SocketIoMetadata> metadata(List<HandlerDefinition> handlers,
            List<HandlerDefinition.NamespaceDeclaration> declarations) {
        return () -> new SocketIoMetadata(handlers, declarations);
    }

    /** The handler of a raw Engine.IO endpoint whose {@link EngineIoHandler} is the bean of the given class. */
    public Handler<RoutingContext> engineEndpoint(String path, String handlerClass) {
        return new EngineRoute(path, () -> {
            try {
                Class<?> type = Thread.currentThread().getContextClassLoader().loadClass(handlerClass);
                return SessionHandler.raw((EngineIoHandler) Arc.container().instance(type).get());
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException("Engine.IO handler class not found: " + handlerClass, e);
            }
        });
    }
}
