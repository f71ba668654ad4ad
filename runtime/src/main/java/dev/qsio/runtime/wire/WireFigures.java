package dev.qsio.runtime.wire;

/**
 * What a wire between hosts (Redis, ...) reports of itself: group {@code <wire name>} of a server's figures, published
 * as the meters {@code socketio.<wire name>.up}, {@code .members}, {@code .outages} and {@code .dropped}.
 *
 * @param up whether this server is connected to the wire now
 * @param members the servers this one sees on the wire, itself included
 * @param outages times the wire went out of reach
 * @param dropped messages dropped because the wire was out of reach
 * @param error the last error of the wire, or null
 */
public record WireFigures(boolean up, long members, long outages, long dropped, String error) {
}
