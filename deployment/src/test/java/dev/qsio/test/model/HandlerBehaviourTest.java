package dev.qsio.test.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.qsio.ConnectionRefusedException;
import dev.qsio.Middleware;
import dev.qsio.OnEvent;
import dev.qsio.SocketIo;
import dev.qsio.SocketIoServer;
import dev.qsio.SocketIoSocket;
import dev.qsio.testkit.ClientSocket;
import dev.qsio.testkit.ConnectErrorException;
import dev.qsio.testkit.SocketIoConnector;
import io.quarkus.test.QuarkusUnitTest;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/** What handlers do, seen by a real client: acknowledgements, rooms, middleware, asynchronous results. */
class HandlerBehaviourTest {

    @RegisterExtension
    static final QuarkusUnitTest test = new QuarkusUnitTest()
            .withApplicationRoot(root -> root.addClasses(Handlers.class, Guarded.class));

    final SocketIoConnector server = SocketIoConnector.create();

    @Inject
    SocketIoServer io;

    @SocketIo("/")
    public static class Handlers {

        @Inject
        Vertx vertx;

        /** The return value is the acknowledgement. */
        @OnEvent("add")
        int add(int a, int b) {
            return a + b;
        }

        /** A void handler acknowledges with no argument when it returns. */
        @OnEvent("noop")
        void noop(String ignored) {
        }

        @OnEvent("join")
        String join(SocketIoSocket socket, String room) {
            socket.join(room);
            return room;
        }

        @OnEvent("shout")
        void shout(SocketIoSocket socket, String room, String text) {
            socket.to(room).emit("heard", text);
        }

        /** A Uni completes later, on the event loop, without blocking it. */
        @OnEvent("later")
        Uni<String> later(String text) {
            boolean onLoop = Context.isOnEventLoopThread();
            return Uni.createFrom().emitter(e -> vertx.setTimer(50, t -> e.complete(text + (onLoop ? " from the loop" : ""))));
        }
    }

    @SocketIo("/guarded")
    public static class Guarded {

        @Middleware
        void admit(SocketIoSocket socket) {
            if (!"open sesame".equals(socket.handshake().auth().path("token").asText())) {
                throw new ConnectionRefusedException("not allowed", Map.of("reason", "bad token"));
            }
        }

        @OnEvent("hello")
        String hello() {
            return "inside";
        }
    }

    @Test
    void theReturnValueIsTheAcknowledgement() {
        try (ClientSocket c = server.connectAndAwait()) {
            assertThat(c.emitAndAwaitAck("add", 2, 3).arg(0, Integer.class)).isEqualTo(5);
            assertThat(c.emitAndAwaitAck("noop", "x").args()).isEmpty();
        }
    }

    static List<String> heard(ClientSocket client) {
        return client.events("heard").stream().map(r -> r.arg().asText()).toList();
    }

    @Test
    void roomsSelectTheRecipients() {
        try (ClientSocket a = server.connectAndAwait();
                ClientSocket b = server.connectAndAwait();
                ClientSocket c = server.connectAndAwait()) {
            String cId = c.id();
            assertThat(a.emitAndAwaitAck("join", "blue").arg().asText()).isEqualTo("blue");
            assertThat(b.emitAndAwaitAck("join", "blue").arg().asText()).isEqualTo("blue");
            a.emitAndAwaitAck("shout", "blue", "one");
            assertThat(b.awaitEvent("heard").arg().asText()).isEqualTo("one");
            // the server API: a room, and a socket id as a room, with an exception
            io.to("blue").except(cId).emit("heard", "two");
            io.to(cId).emit("heard", "three");
            assertThat(a.awaitEvent("heard").arg().asText()).isEqualTo("two");
            assertThat(c.awaitEvent("heard").arg().asText()).isEqualTo("three");
            await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> heard(b),
                    received -> received.equals(List.of("one", "two")));
            assertThat(heard(a)).as("the sender is not in its own socket.to(room)").containsExactly("two");
            assertThat(heard(c)).containsExactly("three");
        }
    }

    @Test
    void middlewareRefusalReachesTheClient() {
        SocketIoConnector guarded = server.namespace("/guarded");
        ConnectErrorException error = guarded.auth(Map.of("token", "guess")).connectAndAwaitRefusal();
        assertThat(error).hasMessage("not allowed");
        assertThat(error.data().at("/data/reason").asText()).isEqualTo("bad token");
        try (ClientSocket admitted = guarded.auth(Map.of("token", "open sesame")).connectAndAwait()) {
            assertThat(admitted.emitAndAwaitAck("hello").arg().asText()).isEqualTo("inside");
        }
    }

    @Test
    void aUniHandlerAnswersWhenItCompletes() {
        try (ClientSocket c = server.connectAndAwait()) {
            assertThat(c.emitAndAwaitAck("later", "done").arg().asText()).isEqualTo("done from the loop");
        }
    }
}
