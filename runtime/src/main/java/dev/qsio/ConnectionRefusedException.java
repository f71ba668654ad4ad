package dev.qsio;

/**
 * Refuses a socket in {@link Middleware}: the client receives CONNECT_ERROR with this message and data, as
 * {@code next(err)} with {@code err.data} does in Node.
 */
public class ConnectionRefusedException extends RuntimeException {

    private final transient Object data;

    public ConnectionRefusedException(String message) {
        this(message, null);
    }

    public ConnectionRefusedException(String message, Object data) {
        super(message, null, false, false);
        this.data = data;
    }

    /** Extra details for the client ({@code err.data}), serialized with Jackson, or {@code null}. */
    public Object data() {
        return data;
    }
}
