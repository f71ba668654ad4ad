package dev.qsio.runtime.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.vertx.core.Vertx;

/**
 * A session is in the engine's map from its handshake, before its transport is set. What walks the map meanwhile
 * must not fail on it: the Admin UI's statistics count the polling sessions every 2 s, and InputSurfacesFuzzIT saw
 * them fail with a NullPointerException in {@link EngineSession#requestBased()} (an ERROR with its stack trace from
 * the timer) while hostile clients opened and dropped sessions.
 */
class SessionWithoutTransportTest {

    private Vertx vertx;
    private EngineServer<String> engine;

    @BeforeEach
    void start() {
        vertx = Vertx.vertx();
        engine = new EngineServer<>("/engine.io/", vertx, TestOptions.defaults(), new SessionIds(reason -> {
        }), null, OtherServers.Factory.NONE, refused -> {
        });
    }

    @AfterEach
    void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void aSessionWithoutItsTransportYetIsNotCountedAsPolling() {
        EngineSession<String> session = new EngineSession<>(engine, "s1", null, false);
        assertThat(session.requestBased()).isFalse();
    }
}
