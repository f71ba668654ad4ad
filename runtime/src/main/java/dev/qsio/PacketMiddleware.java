package dev.qsio;

import io.smallrye.mutiny.Uni;

/**
 * Runs for each event a client emits on one socket, before the event's handlers: Node's {@code socket.use((packet,
 * next) => ...)}. Complete the {@code Uni} to let the event through, or with an
 * {@link EventArgs} to replace it; fail it (or throw) to refuse the event: its
 * handlers are not called, the namespace's {@link OnError} handlers receive the failure, and the client receives an
 * {@code error} event whose argument is {@code {"message": ...}}. Catch-all listeners ({@link OnAnyEvent},
 * {@link SocketIoSocket#onAny(AnyListener)}) have already seen the event, as in Node. Middleware runs in the order it
 * was added, one event after the other, on the socket's event loop: it must not block.
 */
@FunctionalInterface
public interface PacketMiddleware {

    /**
     * Lets the event through (completes with no item, or any item that is not an {@link EventArgs}), replaces it
     * (completes with the {@link EventArgs} the next middleware and the handlers get instead: another name, other
     * arguments, as Node's middleware rewrites the packet's array), or refuses it (fails).
     */
    Uni<?> apply(SocketIoSocket socket, EventArgs event);
}
