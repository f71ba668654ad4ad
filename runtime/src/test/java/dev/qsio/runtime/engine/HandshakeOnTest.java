package dev.qsio.runtime.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.qsio.AsyncHandshakeFilter;
import dev.qsio.HandshakeFilter.Decision;
import dev.qsio.HandshakeRequest;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;

/**
 * A handshake on a connection of its own (WebTransport's first stream, {@link EngineServer#handshakeOn}) with an
 * {@link AsyncHandshakeFilter}: the session opens, or the refusal comes, on the connection's loop once the filter has
 * answered on another thread; a filter that never answers refuses at the timeout; a connection that closes while its
 * check runs gets nothing opened.
 */
class HandshakeOnTest {

    private Vertx vertx;
    private Context context;
    private final AtomicReference<AsyncHandshakeFilter> filter = new AtomicReference<>();
    private EngineServer<String> engine;
    private final CompletableFuture<Thread> opened = new CompletableFuture<>();
    private final CompletableFuture<String> refused = new CompletableFuture<>();
    private final AtomicInteger cancelled = new AtomicInteger();

    @BeforeEach
    void start() {
        vertx = Vertx.vertx();
        context = vertx.getOrCreateContext();
    }

    /** The server, whose asynchronous filter is {@link #filter} with {@code timeoutMs}. */
    private void engine(long timeoutMs) {
        AsyncHandshakeFilter delegate = request -> filter.get().check(request);
        HandshakeFilters filters = new HandshakeFilters(List.of(),
                List.of(new HandshakeFilters.Named<>(delegate, "test.Store")), timeoutMs);
        engine = new EngineServer<>("/engine.io/", vertx, TestOptions.defaults(), new SessionIds(reason -> {
        }), filters, OtherServers.Factory.NONE, r -> {
        });
    }

    @AfterEach
    void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** Starts a handshake on the context, as the connection's loop; returns what to run when it closes. */
    private Runnable handshake() throws Exception {
        CompletableFuture<Runnable> leave = new CompletableFuture<>();
        Function<EngineSession<String>, Transport> connect = session -> {
            opened.complete(Thread.currentThread());
            return new Recorded(session);
        };
        context.runOnContext(v -> leave.complete(engine.handshakeOn(new HandshakeRequest("CONNECT", "/engine.io/",
                Map.of(), Map.of(), null, true, Instant.now()), MultiMap.caseInsensitiveMultiMap(), null, loop(),
                connect, refused::complete)));
        return leave.get(5, TimeUnit.SECONDS);
    }

    private HandshakeFilters.Loop loop() {
        return new HandshakeFilters.Loop() {
            @Override
            public void execute(Runnable task) {
                context.runOnContext(v -> task.run());
            }

            @Override
            public Runnable schedule(long ms, Runnable task) {
                long timer = vertx.setTimer(ms, id -> execute(task));
                return () -> vertx.cancelTimer(timer);
            }
        };
    }

    private Thread loopThread() throws Exception {
        CompletableFuture<Thread> thread = new CompletableFuture<>();
        context.runOnContext(v -> thread.complete(Thread.currentThread()));
        return thread.get(5, TimeUnit.SECONDS);
    }

    private long figure(EngineFigure figure) {
        return engine.stats().snapshot().get(figure);
    }

    /** A decision given 50 ms later on a thread of the common pool. */
    private static Uni<Decision> later(Decision decision) {
        return Uni.createFrom().completionStage(() -> CompletableFuture.supplyAsync(() -> decision,
                CompletableFuture.delayedExecutor(50, TimeUnit.MILLISECONDS)));
    }

    @Test
    void allowedLaterTheSessionOpensOnTheConnectionsLoop() throws Exception {
        engine(10_000);
        filter.set(request -> later(Decision.allow()));
        assertThat(handshake()).as("decided later").isNotNull();
        assertThat(opened.get(5, TimeUnit.SECONDS)).isSameAs(loopThread());
        assertThat(engine.sessions()).hasSize(1);
        assertThat(refused).isNotDone();
        assertThat(figure(EngineFigure.HANDSHAKES_ACCEPTED)).isEqualTo(1);
        assertThat(figure(EngineFigure.HANDSHAKES_WAITING)).isZero();
    }

    @Test
    void refusedLaterTheConnectionIsToldWhy() throws Exception {
        engine(10_000);
        filter.set(request -> later(Decision.refuse("Unknown ticket")));
        handshake();
        assertThat(refused.get(5, TimeUnit.SECONDS)).isEqualTo("Unknown ticket");
        assertThat(engine.sessions()).isEmpty();
        assertThat(opened).isNotDone();
        assertThat(figure(EngineFigure.HANDSHAKES_REFUSED)).isEqualTo(1);
        assertThat(figure(EngineFigure.HANDSHAKES_FILTER_REFUSED)).isEqualTo(1);
    }

    @Test
    void aCheckThatNeverAnswersIsRefusedAtTheTimeout() throws Exception {
        engine(300);
        filter.set(request -> Uni.createFrom().<Decision> nothing().onCancellation().invoke(cancelled::incrementAndGet));
        long start = System.nanoTime();
        handshake();
        assertThat(refused.get(5, TimeUnit.SECONDS)).isEqualTo("Handshake check timed out");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
        assertThat(cancelled.get()).isEqualTo(1);
        assertThat(figure(EngineFigure.HANDSHAKES_FILTER_TIMED_OUT)).isEqualTo(1);
        assertThat(engine.sessions()).isEmpty();
    }

    @Test
    void aConnectionThatClosesWhileItsCheckRunsGetsNothing() throws Exception {
        engine(10_000);
        CompletableFuture<Decision> store = new CompletableFuture<>();
        filter.set(request -> Uni.createFrom().completionStage(store).onCancellation().invoke(cancelled::incrementAndGet));
        Runnable leave = handshake();
        assertThat(figure(EngineFigure.HANDSHAKES_WAITING)).isEqualTo(1);
        context.runOnContext(v -> leave.run());
        await().atMost(Duration.ofSeconds(5)).until(() -> cancelled.get() == 1);
        store.complete(Decision.allow());
        assertThat(loopThread()).isNotNull();
        assertThat(engine.sessions()).isEmpty();
        assertThat(opened).isNotDone();
        assertThat(refused).isNotDone();
        assertThat(figure(EngineFigure.HANDSHAKES_ABANDONED)).isEqualTo(1);
        assertThat(figure(EngineFigure.HANDSHAKES_WAITING)).isZero();
    }

    /** A transport that keeps what it is given. */
    private static final class Recorded extends Transport {
        Recorded(EngineSession<?> session) {
            super(session);
        }

        @Override
        TransportKind kind() {
            return WebTransportTransport.KIND;
        }

        @Override
        boolean writable() {
            return true;
        }

        @Override
        void send(List<EnginePacket> packets) {
        }

        @Override
        void send(EnginePacket packet) {
        }

        @Override
        void close() {
        }

        @Override
        void discard() {
        }
    }
}
