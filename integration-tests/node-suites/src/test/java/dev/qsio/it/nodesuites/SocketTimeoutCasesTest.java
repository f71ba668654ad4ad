package dev.qsio.it.nodesuites;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.qsio.AckTimeoutException;
import dev.qsio.OnConnect;
import dev.qsio.SocketIo;
import dev.qsio.SocketIoServer;
import dev.qsio.SocketIoSocket;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;

/**
 * {@code socket.io/test/socket-timeout.ts}: {@code socket.timeout(ms).emit(event, ..., callback)} and
 * {@code emitWithAck}, here {@code socket.timeout(Duration).emitWithAck(...)} (a {@code Uni}: subscribed with
 * callbacks for Node's callback form, awaited as a {@code CompletionStage} for its promise form). Each case has a
 * namespace of its own; the server tells the official client what it saw with an {@code outcome} event.
 */
@QuarkusTest
@NodeFile("socket.io/test/socket-timeout.ts")
class SocketTimeoutCasesTest extends NodeCases {

    static String failure(Throwable e) {
        return e instanceof AckTimeoutException ? "timeout" : "other: " + e;
    }

    @SocketIo("/timeout-no-ack")
    static class NoAck {
        @OnConnect
        void connect(SocketIoSocket socket) {
            socket.timeout(Duration.ofMillis(50)).emitWithAck("unknown").subscribe().with(
                    v -> socket.emit("outcome", "answered: " + v), e -> socket.emit("outcome", failure(e)));
        }
    }

    @Test
    @NodeCase("timeout > should timeout if the client does not acknowledge the event")
    void timesOutWithoutAnAck() {
        String id = connect("/timeout-no-ack");
        assertThat(outcome(id)).isEqualTo("[\"timeout\"]");
    }

    @SocketIo("/timeout-zero")
    static class Zero {
        @Inject
        Vertx vertx;

        @Inject
        SocketIoServer io;

        @OnConnect
        void connect(SocketIoSocket socket) {
            AtomicInteger failures = new AtomicInteger();
            AtomicInteger answers = new AtomicInteger();
            socket.timeout(Duration.ZERO).emitWithAck("echo", 42).subscribe().with(
                    v -> answers.incrementAndGet(), e -> {
                        if (e instanceof AckTimeoutException) {
                            failures.incrementAndGet();
                        }
                    });
            // not in Node's case: a negative timeout is refused where it is given, naming what was wrong
            String negative;
            try {
                socket.timeout(Duration.ofMillis(-1));
                negative = "accepted";
            } catch (IllegalArgumentException e) {
                negative = e.getMessage();
            }
            String refused = negative;
            // not in Node's case: a broadcast's zero timeout expires the same way
            AtomicInteger broadcastFailures = new AtomicInteger();
            io.of("/timeout-zero").to(socket.id()).timeout(Duration.ZERO).emitWithAck("echo", 43).subscribe().with(
                    v -> {
                    }, e -> {
                        if (e instanceof AckTimeoutException) {
                            broadcastFailures.incrementAndGet();
                        }
                    });
            // as Node's case: the count 200 ms later (the client's answer comes back in well under that on loopback)
            vertx.setTimer(200,
                    t -> socket.emit("outcome", failures.get(), answers.get(), refused, broadcastFailures.get()));
        }
    }

    @Test
    @NodeCase("timeout > should timeout if the client does not acknowledge the event in time")
    void aZeroTimeoutFailsOnceEvenWhenTheClientAnswers() {
        String id = connect("/timeout-zero", Map.of("echo", List.of(42)));
        assertThat(driver.await(id, "event").path("name").asText()).isEqualTo("echo");
        assertThat(outcome(id)).isEqualTo("[1,0,\"an acknowledgement's timeout must be zero or more, not PT-0.001S\",1]");
    }

    @SocketIo("/timeout-acked")
    static class Acked {
        @OnConnect
        void connect(SocketIoSocket socket) {
            socket.timeout(Duration.ofMillis(50)).emitWithAck("echo", 42).subscribe().with(
                    v -> socket.emit("outcome", "answered", v), e -> socket.emit("outcome", failure(e)));
        }
    }

    @Test
    @NodeCase("timeout > should not timeout if the client does acknowledge the event")
    void anAckInTimeIsTheAnswer() {
        String id = connect("/timeout-acked", Map.of("echo", List.of(42)));
        assertThat(outcome(id)).isEqualTo("[\"answered\",42]");
    }

    @SocketIo("/timeout-no-ack-promise")
    static class NoAckPromise {
        @OnConnect
        void connect(SocketIoSocket socket) {
            socket.timeout(Duration.ofMillis(50)).emitWithAck("unknown").subscribeAsCompletionStage()
                    .whenComplete((v, e) -> socket.emit("outcome", e == null ? "answered: " + v : failure(cause(e))));
        }
    }

    @Test
    @NodeCase("timeout > should timeout if the client does not acknowledge the event (promise)")
    void timesOutWithoutAnAckAwaited() {
        String id = connect("/timeout-no-ack-promise");
        assertThat(outcome(id)).isEqualTo("[\"timeout\"]");
    }

    @SocketIo("/timeout-acked-promise")
    static class AckedPromise {
        @OnConnect
        void connect(SocketIoSocket socket) {
            socket.timeout(Duration.ofMillis(50)).emitWithAck(Integer.class, "echo", 42).subscribeAsCompletionStage()
                    .whenComplete((v, e) -> socket.emit("outcome", e == null ? v : failure(cause(e))));
        }
    }

    @Test
    @NodeCase("timeout > should not timeout if the client does acknowledge the event (promise)")
    void anAckInTimeIsTheAnswerAwaited() {
        String id = connect("/timeout-acked-promise", Map.of("echo", List.of(42)));
        assertThat(outcome(id)).isEqualTo("[42]");
    }
}
