package dev.qsio.runtime.engine;

/**
 * The errors the reference server answers to a request it refuses, with their codes and messages: HTTP 400
 * (403 for {@link #FORBIDDEN}) and a JSON body {@code {"code":..,"message":..}}.
 */
public enum EngineError {
    UNKNOWN_TRANSPORT(0, "Transport unknown"),
    UNKNOWN_SID(1, "Session ID unknown"),
    BAD_HANDSHAKE_METHOD(2, "Bad handshake method"),
    BAD_REQUEST(3, "Bad request"),
    FORBIDDEN(4, "Forbidden"),
    UNSUPPORTED_PROTOCOL_VERSION(5, "Unsupported protocol version");

    final int code;
    final String message;

    EngineError(int code, String message) {
        this.code = code;
        this.message = message;
    }

    int status() {
        return this == FORBIDDEN ? 403 : 400;
    }
}
