package dev.qsio;

/**
 * Decides which dynamic namespace names a {@link SocketIo#matcher()} class serves: Node's
 * {@code io.of((name, auth, next) => ...)}. Implementations are beans; {@link #matches} runs on the event loop and
 * must not block.
 */
@FunctionalInterface
public interface NamespaceMatcher {

    /** Whether a client may connect to the namespace {@code name}, given its handshake (with the auth payload). */
    boolean matches(String name, Handshake handshake);
}
