package dev.qsio;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Called once when a socket leaves the namespace. Parameters, all optional: the {@link SocketIoSocket} (its rooms
 * are already left) and a {@code String} reason, one of those Node's server gives: {@code "client namespace
 * disconnect"}, {@code "server namespace disconnect"}, {@code "transport close"}, {@code "transport error"},
 * {@code "ping timeout"}, {@code "parse error"}, {@code "forced close"}, {@code "server shutting down"}; and
 * {@code "send buffer full"} when the client did not read what it was sent ({@code quarkus.socketio.max-buffered-bytes}).
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface OnDisconnect {
}
