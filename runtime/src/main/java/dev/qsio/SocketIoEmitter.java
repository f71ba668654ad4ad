package dev.qsio;

/**
 * Reaches the clients of a fleet of Socket.IO servers from a process that serves none of them (a batch job, a queue
 * consumer, another service): the Java counterpart of Node's {@code @socket.io/redis-emitter} and
 * {@code @socket.io/postgres-emitter}. Inject it in an application that sets {@code quarkus.socketio.emitter.bus}
 * ({@code redis} or {@code postgres}, with the same {@code quarkus.socketio.redis.*} or
 * {@code quarkus.socketio.postgres.*} settings as the servers); the messages are those of the servers' wire, so Node
 * servers of the fleet receive them too. The emitter is not a server of the fleet: it is not counted, and receives
 * nothing.
 * <p>
 * Each method that narrows the selection returns a new emitter; the original is unchanged, so emitters can be kept and
 * reused. Without {@link #to(String...)} the selection is every socket of the namespace (the main one, {@code /},
 * unless {@link #of(String)} says another). What is emitted while the broker is out of reach is dropped, as a
 * server's broadcasts are. There are no acknowledgements: nothing comes back to an emitter.
 *
 * @see BroadcastOperator the same operations inside a server
 */
public interface SocketIoEmitter {

    /** The same selection in another namespace (a leading {@code /} is added when missing). */
    SocketIoEmitter of(String namespace);

    /** Adds rooms: the selection becomes the sockets in at least one of the rooms. */
    SocketIoEmitter to(String... rooms);

    /** Same as {@link #to(String...)}. */
    default SocketIoEmitter in(String... rooms) {
        return to(rooms);
    }

    /** Excludes the sockets in any of these rooms (a socket id is a room holding that socket). */
    SocketIoEmitter except(String... rooms);

    /** The event may be dropped for clients that are not ready to receive it (Node's {@code volatile} flag). */
    SocketIoEmitter volatile_();

    /** Whether the event may be compressed on the clients' connections (Node's {@code compress} flag). */
    SocketIoEmitter compress(boolean compress);

    /**
     * Emits an event to the selected sockets. Arguments are serialized with Jackson; {@code byte[]} values travel as
     * binary.
     *
     * @throws IllegalArgumentException for a reserved event name ({@code connect}, {@code disconnect}, ...)
     */
    void emit(String event, Object... args);

    /** Makes the selected sockets join these rooms, on every server. */
    void socketsJoin(String... rooms);

    /** Makes the selected sockets leave these rooms, on every server. */
    void socketsLeave(String... rooms);

    /** Disconnects the selected sockets; with {@code close}, their underlying connections too. */
    void disconnectSockets(boolean close);

    /**
     * Sends an event to the servers of the namespace: their {@code @OnBroadcast} methods (and Node's
     * {@code io.on(event)} listeners) receive it. The rooms of the selection do not apply.
     */
    void serverSideEmit(String event, Object... args);
}
