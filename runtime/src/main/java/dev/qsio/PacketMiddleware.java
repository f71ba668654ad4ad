package dev.qsio;

import io.smallrye.mutiny.Uni;

/**
 * Runs for each event a client emits on one socket, before the event's handlers: Node's {@code socket.use((packet,
 * next) => ...)}. Complete the {@code Uni} to let the event through; fail it (or throw) to refuse the event: its
 * handlers are not called, the namespace's {@link OnError} handlers receive the failure, and the client receives an
 * {@code error} event whose argument is {@code {"message": ...}}. Catch-all listeners ({@link OnAnyEvent},
 * {@link SocketIoSocket#onAny(AnyListener)}) have already seen the event, as in Node. Middleware runs in the order it
 * was added, one event after the other, on the socket's event loop: it must not block.
 */
@FunctionalInterface
public interface PacketMiddleware {

    Uni<Void> apply(SocketIoSocket socket, EventArgs event);
}
