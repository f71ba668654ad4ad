package dev.qsio.testkit;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The server refused the connection to a namespace: the Socket.IO {@code CONNECT_ERROR} packet that a middleware's
 * rejection, an unknown namespace or a refused handshake produces. {@link #getMessage()} is its {@code message}.
 */
public final class ConnectErrorException extends RuntimeException {

    private final transient JsonNode data;

    ConnectErrorException(String namespace, JsonNode data) {
        super(data != null && data.hasNonNull("message") ? data.get("message").asText()
                : "connection to " + namespace + " refused: " + data);
        this.data = data;
    }

    /** The error's payload: {@code {"message": ..., "data": ...}}, as the server sent it. */
    public JsonNode data() {
        return data;
    }
}
