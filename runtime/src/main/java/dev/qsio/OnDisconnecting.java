package dev.qsio;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Called once when a socket is about to leave the namespace, before {@link OnDisconnect}: Node's
 * {@code socket.on("disconnecting")}. Its {@link SocketIoSocket#rooms()} still gives the rooms the socket was in, so
 * that the application can tell them (for example, "user left" to each room). Parameters, all optional: the
 * {@link SocketIoSocket} and a {@code String} reason (the same reasons as {@link OnDisconnect}). The socket can no
 * longer be written to: it has left.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface OnDisconnecting {
}
