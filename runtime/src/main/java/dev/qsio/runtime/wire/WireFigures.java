package dev.qsio.runtime.wire;

import java.util.Map;

/**
 * What a wire between hosts (Redis, ...) reports of itself: group {@code <wire name>} of a server's figures, published
 * as the meters {@code socketio.<wire name>.up}, {@code .members}, {@code .outages} and {@code .dropped}, and the
 * meters of the wire's own figures ({@link WireProvider#figures()}).
 *
 * @param up whether this server is connected to the wire now
 * @param members the servers this one sees on the wire, itself included
 * @param outages times the wire went out of reach
 * @param dropped messages dropped because the wire was out of reach
 * @param error the last error of the wire, or null
 * @param own the wire's own figures, by key ({@link WireProvider#figures()}); empty when it has none
 */
public record WireFigures(boolean up, long members, long outages, long dropped, String error, Map<String, Long> own) {

    public WireFigures {
        own = Map.copyOf(own);
    }

    /** The figures of a wire that has none of its own. */
    public WireFigures(boolean up, long members, long outages, long dropped, String error) {
        this(up, members, outages, dropped, error, Map.of());
    }
}
