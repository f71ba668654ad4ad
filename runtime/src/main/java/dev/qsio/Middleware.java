package dev.qsio;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Runs before a socket is admitted to the namespace: Node's {@code namespace.use((socket, next) => ...)}.
 * <p>
 * Parameter: the {@link SocketIoSocket} (not yet connected; its {@link SocketIoSocket#handshake()} carries headers,
 * query and the {@code auth} payload). Return {@code void} (or {@code Uni<Void>}) to admit it; throw (or fail with)
 * {@link ConnectionRefusedException} to refuse it: the client receives CONNECT_ERROR with the exception's message
 * and data. Any other failure refuses with its message. Middleware of a namespace runs in declaration order, the
 * programmatic ones ({@link SocketIoNamespace#use(SocketMiddleware)}) after the annotated ones.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Middleware {
}
