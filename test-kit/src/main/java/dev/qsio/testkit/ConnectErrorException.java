package dev.qsio.testkit;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The connection to a namespace failed: the server sent a Socket.IO {@code CONNECT_ERROR} packet (a middleware's
 * rejection, an unknown namespace), and {@link #getMessage()} is its {@code message}; or the Engine.IO handshake
 * failed (an HTTP error such as 401 or 403, a refused connection), and {@link #getMessage()} is the client's
 * description, with the client's exception as the cause.
 */
public final class ConnectErrorException extends RuntimeException {

    private final transient JsonNode data;

    private ConnectErrorException(String message, JsonNode data, Throwable cause) {
        super(message, cause);
        this.data = data;
    }

    /** What the official client reported with its {@code connect_error} event. */
    static ConnectErrorException of(String namespace, Object error) {
        if (error instanceof Throwable t) {
            return new ConnectErrorException(t.getMessage() == null ? t.toString() : t.getMessage(), null, t);
        }
        JsonNode data = error == null ? null : OrgJson.toJackson(error);
        String message = data != null && data.hasNonNull("message") ? data.get("message").asText()
                : "connection to " + namespace + " refused: " + data;
        return new ConnectErrorException(message, data, null);
    }

    /**
     * The payload of the server's CONNECT_ERROR: {@code {"message": ..., "data": ...}}; null when the handshake
     * failed before Socket.IO (see {@link #getCause()}).
     */
    public JsonNode data() {
        return data;
    }
}
