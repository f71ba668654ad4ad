package dev.qsio.runtime.engine;

import java.util.function.BiConsumer;
import java.util.function.Consumer;

import io.vertx.core.buffer.Buffer;

/**
 * The application of tests that run engine servers of their own, in this package and others: each session's connection
 * is its id, messages are ignored, and a close is passed on as its reason (with the session's id, to the second form).
 */
public final class SessionIds implements SessionHandler<String> {

    private final BiConsumer<String, String> onClose;

    public SessionIds(Consumer<String> onClose) {
        this.onClose = (sid, reason) -> onClose.accept(reason);
    }

    public SessionIds(BiConsumer<String, String> onClose) {
        this.onClose = onClose;
    }

    @Override
    public String onOpen(EngineSession<String> session) {
        return session.id();
    }

    @Override
    public void onMessage(String connection, String text) {
    }

    @Override
    public void onBinary(String connection, Buffer data) {
    }

    @Override
    public void onClose(String connection, String reason) {
        onClose.accept(connection, reason);
    }
}
