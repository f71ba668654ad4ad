package dev.qsio.runtime;

import dev.qsio.EngineIoHandler;
import dev.qsio.runtime.engine.EngineRoute;
import io.quarkus.arc.Arc;
import io.quarkus.runtime.annotations.Recorder;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

/**
 * Creates the route handlers that the deployment processor registers on the HTTP router.
 */
@Recorder
public class SocketIoRecorder {

    /** The handler of a raw Engine.IO endpoint whose {@link EngineIoHandler} is the bean of the given class. */
    public Handler<RoutingContext> engineEndpoint(String path, String handlerClass) {
        return new EngineRoute(path, () -> {
            try {
                Class<?> type = Thread.currentThread().getContextClassLoader().loadClass(handlerClass);
                return (EngineIoHandler) Arc.container().instance(type).get();
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException("Engine.IO handler class not found: " + handlerClass, e);
            }
        });
    }
}
