package dev.qsio;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A message the primary sent to this worker with {@link Cluster#send(int, Object)} or
 * {@link Cluster#broadcast(Object)}, fired as a CDI event in the worker.
 *
 * @param payload the message, as JSON
 */
public record ClusterMessage(JsonNode payload) {
}
