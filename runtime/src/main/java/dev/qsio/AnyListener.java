package dev.qsio;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A catch-all listener of one socket (Node's {@code socket.onAny} and {@code socket.onAnyOutgoing}): called with the
 * name and arguments of every event the client sends, or that is sent to it. Binary arguments are
 * {@code BinaryNode}s. It runs on the thread that received or emitted the event (the socket's event loop for
 * incoming ones) and must not block; a listener that throws is reported like a failed handler and the others still
 * run.
 */
@FunctionalInterface
public interface AnyListener {

    void onEvent(String event, List<JsonNode> args);
}
