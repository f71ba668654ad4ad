package dev.qsio;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Called for every event a client emits to the namespace, before the event's own {@link OnEvent} handlers and
 * whether or not it has any: Node's {@code socket.onAny(listener)} declared once for every socket. Parameters, all
 * optional: the {@link SocketIoSocket} and the {@link EventArgs} (the event's name and its arguments). Returns
 * {@code void} (or {@code Uni<Void>}, {@code CompletionStage<Void>}); it does not answer acknowledgements, which
 * belong to the event's handler. Runs in the socket's order of events like the other handlers, on the thread its
 * execution model gives.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface OnAnyEvent {
}
