package dev.qsio;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Called when a handler of the namespace fails (throws, or its {@code Uni} fails), or when an event's arguments
 * cannot be bound to the handler's parameters. Parameters, all optional: the {@link SocketIoSocket} and a
 * {@link Throwable} (or a subtype: the method is called only for failures of that type). Without an error handler
 * the failure is logged. The socket stays connected.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface OnError {
}
