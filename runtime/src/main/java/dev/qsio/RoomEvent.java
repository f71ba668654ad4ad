package dev.qsio;

/**
 * A change of a room on this server: Node's adapter events ({@code io.of("/").adapter.on("create-room" |
 * "delete-room" | "join-room" | "leave-room", ...)}). Fired as a CDI event when the application observes it:
 *
 * <pre>
 * void rooms(&#64;Observes RoomEvent event) {
 *     if (event.kind() == RoomEvent.Kind.JOINED &amp;&amp; event.room().startsWith("game-")) {
 *         log.infof("%s joined %s", event.socketId(), event.room());
 *     }
 * }
 * </pre>
 *
 * As in Node, the events are local: each server reports its own sockets' rooms (in a cluster, observe them on every
 * worker or count with {@code fetchSockets}), and a socket's own room (named after its id) is created, joined, left
 * and deleted like any other. Observers run synchronously on the thread that changed the room (often the event
 * loop) and must not block; one that throws is logged and the change stands. Without an observer nothing is fired.
 *
 * @param namespace the namespace of the room
 * @param kind what happened
 * @param room the room
 * @param socketId the socket that joined or left; null for {@link Kind#CREATED} and {@link Kind#DELETED}
 */
public record RoomEvent(String namespace, Kind kind, String room, String socketId) {

    /** What happened to the room, with the name of Node's event. */
    public enum Kind {
        /** {@code create-room}: its first member joined. */
        CREATED,
        /** {@code delete-room}: its last member left. */
        DELETED,
        /** {@code join-room}: a socket joined. */
        JOINED,
        /** {@code leave-room}: a socket left. */
        LEFT
    }
}
