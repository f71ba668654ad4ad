package dev.qsio;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Called when a socket has connected to the namespace (Node's {@code "connection"} event), after the middleware
 * accepted it and the client was told. Parameters: {@link SocketIoSocket} (optional). Returns {@code void},
 * {@code Uni<Void>} or {@code CompletionStage<?>}.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface OnConnect {
}
