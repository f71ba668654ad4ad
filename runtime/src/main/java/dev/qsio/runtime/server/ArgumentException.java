package dev.qsio.runtime.server;

/**
 * A client's event arguments do not fit the handler's parameters: client input, reported without a stack trace.
 */
final class ArgumentException extends RuntimeException {

    ArgumentException(String message) {
        super(message, null, false, false);
    }
}
