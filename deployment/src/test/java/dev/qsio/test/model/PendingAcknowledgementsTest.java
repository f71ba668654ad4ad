package dev.qsio.test.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;

import dev.qsio.AckTimeoutException;
import dev.qsio.OnConnect;
import dev.qsio.OnEvent;
import dev.qsio.SocketDisconnectedException;
import dev.qsio.SocketIo;
import dev.qsio.SocketIoServer;
import dev.qsio.SocketIoSocket;
import dev.qsio.runtime.server.ServerFigure;
import dev.qsio.runtime.server.ServerStats;
import dev.qsio.test.JavaClient;
import io.quarkus.test.QuarkusUnitTest;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.common.annotation.RunOnVirtualThread;
import io.smallrye.mutiny.Uni;
import io.socket.client.Ack;
import io.vertx.core.Context;

/**
 * An acknowledgement a socket awaits ends when the socket leaves: at once with {@link SocketDisconnectedException}
 * for the socket's own {@code emitWithAck} in every form (nothing can answer it any more, and a wait of 30 s would
 * only delay the error), at its timeout for a broadcast's (as Node: the other recipients may still answer). The
 * acknowledgements the sockets await are counted, and the count returns to zero.
 */
class PendingAcknowledgementsTest {

    @RegisterExtension
    static final QuarkusUnitTest test = new QuarkusUnitTest()
            .withApplicationRoot(root -> root.addClasses(Asking.class, JavaClient.class))
            // the default timeout of the forms without timeout(): far beyond what the tests wait
            .overrideConfigKey("quarkus.socketio.ack-timeout", "30s");

    static final Duration LONG = Duration.ofSeconds(30);
    /** Well before any of the acknowledgement timeouts. */
    static final Duration SOON = Duration.ofSeconds(10);

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    @Inject
    SocketIoServer io;

    @Inject
    ServerStats stats;

    @SocketIo("/ask")
    public static class Asking {

        /** How each socket's wait ended: null for an answer, the failure otherwise. */
        static final Map<String, CompletableFuture<Throwable>> OUTCOMES = new ConcurrentHashMap<>();
        /** Where the blocking waits ran. */
        static final Map<String, String> THREADS = new ConcurrentHashMap<>();
        static final Map<String, SocketIoSocket> SOCKETS = new ConcurrentHashMap<>();
        /** Handlers blocked in emitWithAckAndAwait. */
        static final AtomicInteger WAITING = new AtomicInteger();

        static CompletableFuture<Throwable> outcome(SocketIoSocket socket) {
            return OUTCOMES.computeIfAbsent(socket.id(), id -> new CompletableFuture<>());
        }

        @OnConnect
        void connect(SocketIoSocket socket) {
            SOCKETS.put(socket.id(), socket);
        }

        /** Asks the client in one of the forms of emitWithAck, without blocking. */
        @OnEvent("ask")
        void ask(SocketIoSocket socket, String form) {
            Uni<?> asked = switch (form) {
                case "default" -> socket.emitWithAck("question");
                case "timeout" -> socket.timeout(LONG).emitWithAck("question");
                case "typed" -> socket.emitWithAck(String.class, "question");
                case "timeout-typed" -> socket.timeout(LONG).emitWithAck(String.class, "question");
                case "args" -> socket.emitWithAckArgs("question");
                case "timeout-args" -> socket.timeout(LONG).emitWithAckArgs("question");
                case "uncompressed" -> socket.compress(false).emitWithAck("question");
                default -> throw new IllegalArgumentException(form);
            };
            asked.subscribe().with(v -> outcome(socket).complete(null), f -> outcome(socket).complete(f));
        }

        /** Asks the client and waits for the answer on a worker thread. */
        @OnEvent("ask-blocking")
        @Blocking
        void askBlocking(SocketIoSocket socket) {
            awaitAnswer(socket);
        }

        /** Asks the client and waits on a virtual thread (a worker thread before Java 21). */
        @OnEvent("ask-virtual")
        @RunOnVirtualThread
        void askOnVirtualThread(SocketIoSocket socket) {
            awaitAnswer(socket);
        }

        private static void awaitAnswer(SocketIoSocket socket) {
            THREADS.put(socket.id(), Thread.currentThread().toString().startsWith("VirtualThread") ? "virtual thread"
                    : Context.isOnEventLoopThread() ? "event loop" : "worker");
            WAITING.incrementAndGet();
            try {
                socket.timeout(LONG).emitWithAckAndAwait("question");
                outcome(socket).complete(null);
            } catch (RuntimeException e) {
                outcome(socket).complete(e);
            } finally {
                WAITING.decrementAndGet();
            }
        }
    }

    /**
     * Nothing is awaited after a test, and its clients have left before the next (a broadcast would wait for one
     * leaving until its timeout).
     */
    @AfterEach
    void nothingAwaited() {
        await().atMost(SOON).until(() -> stats.snapshot().get(ServerFigure.ACKS_PENDING) == 0);
        assertThat(Asking.WAITING).hasValue(0);
        await().atMost(SOON).until(() -> io.of("/ask").localSockets().isEmpty());
    }

    /** A client that disconnects as soon as it is asked the question, without answering. */
    JavaClient leaver() {
        JavaClient client = JavaClient.connect(port, "/ask", Map.of());
        client.socket.on("question", args -> client.socket.disconnect());
        return client;
    }

    /** The server's socket of a client, once its {@code @OnConnect} handler ran. */
    static SocketIoSocket socketOf(String id) {
        await().atMost(SOON).until(() -> Asking.SOCKETS.containsKey(id));
        return Asking.SOCKETS.get(id);
    }

    static Throwable awaitOutcome(String id) {
        CompletableFuture<Throwable> outcome = Asking.OUTCOMES.computeIfAbsent(id, k -> new CompletableFuture<>());
        await().atMost(SOON).until(outcome::isDone);
        return outcome.join();
    }

    static void assertLeft(Throwable failure, String id, String reason) {
        assertThat(failure).isInstanceOf(SocketDisconnectedException.class).isInstanceOf(IllegalStateException.class)
                .hasMessage("socket " + id + " disconnected (" + reason + ") before acknowledging \"question\"");
        SocketDisconnectedException left = (SocketDisconnectedException) failure;
        assertThat(left.socketId()).isEqualTo(id);
        assertThat(left.reason()).isEqualTo(reason);
        assertThat(left.event()).isEqualTo("question");
    }

    @ParameterizedTest
    @ValueSource(strings = { "default", "timeout", "typed", "timeout-typed", "args", "timeout-args", "uncompressed" })
    void everyFormFailsAtOnceWhenTheClientLeavesWithoutAnswering(String form) throws Exception {
        try (JavaClient client = leaver()) {
            String id = client.awaitConnected();
            client.socket.emit("ask", form);
            assertLeft(awaitOutcome(id), id, "client namespace disconnect");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = { "ask-blocking", "ask-virtual" })
    void aWaitingThreadIsReleasedWhenTheClientLeaves(String event) throws Exception {
        try (JavaClient client = leaver()) {
            String id = client.awaitConnected();
            client.socket.emit(event);
            assertLeft(awaitOutcome(id), id, "client namespace disconnect");
            String expected = event.equals("ask-virtual") && Runtime.version().feature() >= 21 ? "virtual thread"
                    : "worker";
            assertThat(Asking.THREADS.get(id)).isEqualTo(expected);
        }
    }

    @Test
    void aServerSideDisconnectFailsTheWaitWithItsReason() throws Exception {
        try (JavaClient client = JavaClient.connect(port, "/ask", Map.of())) {
            CompletableFuture<Void> asked = new CompletableFuture<>();
            client.socket.on("question", args -> asked.complete(null));
            String id = client.awaitConnected();
            client.socket.emit("ask", "timeout");
            await().atMost(SOON).until(asked::isDone);
            socketOf(id).disconnect(false);
            assertLeft(awaitOutcome(id), id, "server namespace disconnect");
        }
    }

    @Test
    void askingASocketThatAlreadyLeftFailsAtOnceWithTheReasonItLeft() throws Exception {
        SocketIoSocket socket;
        try (JavaClient client = JavaClient.connect(port, "/ask", Map.of())) {
            String id = client.awaitConnected();
            socket = socketOf(id);
            client.socket.disconnect();
            await().atMost(SOON).until(() -> !socket.connected());
        }
        CompletableFuture<Throwable> failure = new CompletableFuture<>();
        socket.timeout(LONG).emitWithAck("question").subscribe().with(v -> failure.complete(null), failure::complete);
        assertThat(failure).isDone();
        assertLeft(failure.join(), socket.id(), "client namespace disconnect");
    }

    /** A client that stays but never answers a broadcast: its socket lets the acknowledgement go at the timeout. */
    @Test
    void aBroadcastsAcknowledgementThatNeverComesIsLetGoAtTheTimeout() throws Exception {
        try (JavaClient silent = JavaClient.connect(port, "/ask", Map.of())) {
            SocketIoSocket socket = socketOf(silent.awaitConnected());
            CompletableFuture<List<JsonNode>> answers = io.of("/ask").timeout(Duration.ofSeconds(1))
                    .emitWithAck("question").subscribeAsCompletionStage();
            await().atMost(SOON).until(answers::isDone);
            assertThat(answers.handle((v, f) -> f).join()).isInstanceOf(AckTimeoutException.class);
            await().atMost(SOON).until(() -> stats.snapshot().get(ServerFigure.ACKS_PENDING) == 0);
            assertThat(socket.connected()).isTrue();
        }
    }

    /**
     * A broadcast keeps Node's behaviour: the recipient that left is waited for until the timeout, since the others'
     * answers may still come; its socket lets the acknowledgement go as it leaves (the count drops at once).
     */
    @Test
    void aBroadcastWaitsForARecipientThatLeftUntilItsTimeout() throws Exception {
        try (JavaClient answering = JavaClient.connect(port, "/ask", Map.of()); JavaClient leaving = leaver()) {
            answering.socket.on("question", args -> ((Ack) args[args.length - 1]).call("here"));
            answering.awaitConnected();
            String leaverId = leaving.awaitConnected();
            Duration timeout = Duration.ofSeconds(6);
            long start = System.nanoTime();
            CompletableFuture<List<JsonNode>> answers = io.of("/ask").timeout(timeout).emitWithAck("question")
                    .subscribeAsCompletionStage();
            SocketIoSocket left = socketOf(leaverId);
            await().atMost(timeout).until(() -> !left.connected()
                    && stats.snapshot().get(ServerFigure.ACKS_PENDING) == 0);
            assertThat(answers).as("still waiting for the recipient that left").isNotDone();
            await().atMost(SOON).until(answers::isDone);
            long elapsedMs = (System.nanoTime() - start) / 1_000_000;
            assertThat(answers).isCompletedExceptionally();
            Throwable failure = answers.handle((v, f) -> f).join();
            assertThat(failure).isInstanceOf(AckTimeoutException.class);
            AckTimeoutException timedOut = (AckTimeoutException) failure;
            assertThat(timedOut.received()).isEqualTo(1);
            assertThat(timedOut.expected()).isEqualTo(2);
            assertThat(elapsedMs).as("failed at its timeout, not when the recipient left").isGreaterThanOrEqualTo(
                    timeout.toMillis() - 100);
        }
    }
}
