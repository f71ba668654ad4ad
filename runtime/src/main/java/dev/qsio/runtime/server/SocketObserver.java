package dev.qsio.runtime.server;

import dev.qsio.SocketIoSocket;

/**
 * Told of the life of every socket of this server, for the views above it (the Admin UI): Node's
 * {@code nsp.prependListener("connection")}, {@code socket.on("disconnect")}, {@code socket.conn.on("upgrade")} and
 * a proxy on {@code socket.data}. Registered with {@link SocketIoServerImpl#observe(SocketObserver)}; without one,
 * nothing is called or allocated. Calls come on the thread that changed the socket and must not block.
 */
public interface SocketObserver {

    /**
     * The socket connected: called in the socket's order, after the CONNECT answer went out and before its
     * {@code @OnConnect} handlers, so that what the observer emits to it reaches the client. {@code connectionId} is
     * the id of its Engine.IO session (Node's {@code socket.client.id}).
     */
    void connected(SocketIoSocket socket, String connectionId);

    /** The socket left its namespace. */
    void disconnected(SocketIoSocket socket, String reason);

    /** The socket's connection changed transport. */
    void upgraded(SocketIoSocket socket, String transport);

    /** The application changed the socket's {@link SocketIoSocket#data() data} (once connected). */
    void dataChanged(SocketIoSocket socket);
}
