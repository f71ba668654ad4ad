package dev.qsio;

/**
 * The acknowledgement a client asked for with its event: call {@link #send(Object...)} once, from any thread, to
 * answer. Declare it as a parameter of an {@link OnEvent} method that answers later than its return.
 */
public interface Ack {

    /** Whether the client asked for an acknowledgement. */
    boolean requested();

    /** Sends the acknowledgement with these arguments. Later calls are ignored. */
    void send(Object... args);
}
