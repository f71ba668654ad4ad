package dev.qsio.runtime.engine;

/**
 * A client sent bytes that are not an Engine.IO packet. The session that sent them is closed with
 * {@code "parse error"}; nothing else is affected, so this exception carries no stack trace.
 */
public final class MalformedPacketException extends Exception {

    public MalformedPacketException(String message) {
        super(message, null, false, false);
    }
}
