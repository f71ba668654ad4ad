package dev.qsio;

import io.smallrye.mutiny.Uni;

/**
 * Middleware registered with {@link SocketIoNamespace#use(SocketMiddleware)}: completes to admit the socket, fails
 * (with {@link ConnectionRefusedException} for a message and data of your choice) to refuse it. Runs on the event
 * loop: return a {@code Uni} for anything that takes time.
 */
@FunctionalInterface
public interface SocketMiddleware {

    Uni<Void> apply(SocketIoSocket socket);
}
