package dev.qsio.runtime.protocol;

/**
 * A client sent something that is not a valid Socket.IO packet. The connection that sent it is closed with
 * {@code "parse error"}; it carries no stack trace because it describes client input, not a server fault.
 */
public final class ProtocolException extends Exception {

    public ProtocolException(String message) {
        super(message, null, false, false);
    }
}
