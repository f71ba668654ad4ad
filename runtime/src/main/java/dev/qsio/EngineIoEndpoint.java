package dev.qsio;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Serves raw Engine.IO v4 at a path of the application's HTTP server, with this bean as its
 * {@link EngineIoHandler}.
 * <p>
 * The annotated class must implement {@link EngineIoHandler}; it becomes a {@code @Singleton} bean unless it
 * declares another scope. Use it when you want Engine.IO without Socket.IO; Socket.IO applications
 * declare namespaces instead. Timings and limits come from the {@code quarkus.socketio.*} configuration.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface EngineIoEndpoint {

    /** The path, for example {@code /engine.io/}. A trailing slash is added when missing. */
    String value();
}
