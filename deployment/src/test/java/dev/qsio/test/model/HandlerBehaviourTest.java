package dev.qsio.test.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.json.JSONObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.qsio.ConnectionRefusedException;
import dev.qsio.Middleware;
import dev.qsio.OnEvent;
import dev.qsio.SocketIo;
import dev.qsio.SocketIoServer;
import dev.qsio.SocketIoSocket;
import dev.qsio.test.JavaClient;
import io.quarkus.test.QuarkusUnitTest;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/** What handlers do, seen by a real client: acknowledgements, rooms, middleware, asynchronous results. */
class HandlerBehaviourTest {

    @RegisterExtension
    static final QuarkusUnitTest test = new QuarkusUnitTest()
            .withApplicationRoot(root -> root.addClasses(Handlers.class, Guarded.class, JavaClient.class));

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

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
    void theReturnValueIsTheAcknowledgement() throws Exception {
        try (JavaClient c = JavaClient.connect(port, "/", Map.of())) {
            c.awaitConnected();
            assertThat(c.call("add", 2, 3)).containsExactly(5);
            assertThat(c.call("noop", "x")).isEmpty();
        }
    }

    @Test
    void roomsSelectTheRecipients() throws Exception {
        try (JavaClient a = JavaClient.connect(port, "/", Map.of(), "heard");
                JavaClient b = JavaClient.connect(port, "/", Map.of(), "heard");
                JavaClient c = JavaClient.connect(port, "/", Map.of(), "heard")) {
            a.awaitConnected();
            b.awaitConnected();
            String cId = c.awaitConnected();
            assertThat(a.call("join", "blue")).containsExactly("blue");
            assertThat(b.call("join", "blue")).containsExactly("blue");
            a.call("shout", "blue", "one");
            await().atMost(Duration.ofSeconds(10)).until(() -> b.received().size() == 1);
            assertThat(b.received()).containsExactly("heard:one");
            // the server API: a room, and a socket id as a room, with an exception
            io.to("blue").except(cId).emit("heard", "two");
            io.to(cId).emit("heard", "three");
            await().atMost(Duration.ofSeconds(10)).until(() -> a.received().size() == 1 && c.received().size() == 1);
            await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> List.copyOf(b.received()),
                    received -> received.equals(List.of("heard:one", "heard:two")));
            assertThat(a.received()).as("the sender is not in its own socket.to(room)").containsExactly("heard:two");
            assertThat(c.received()).containsExactly("heard:three");
        }
    }

    @Test
    void middlewareRefusalReachesTheClient() throws Exception {
        try (JavaClient refused = JavaClient.connect(port, "/guarded", Map.of("token", "guess"));
                JavaClient admitted = JavaClient.connect(port, "/guarded", Map.of("token", "open sesame"))) {
            Object error = refused.connectError.get(10, TimeUnit.SECONDS);
            assertThat(error).isInstanceOf(JSONObject.class);
            assertThat(((JSONObject) error).getString("message")).isEqualTo("not allowed");
            assertThat(((JSONObject) error).getJSONObject("data").getString("reason")).isEqualTo("bad token");
            assertThat(refused.connected).isNotDone();
            admitted.awaitConnected();
            assertThat(admitted.call("hello")).containsExactly("inside");
        }
    }

    @Test
    void aUniHandlerAnswersWhenItCompletes() throws Exception {
        try (JavaClient c = JavaClient.connect(port, "/", Map.of())) {
            c.awaitConnected();
            assertThat(c.call("later", "done")).containsExactly("done from the loop");
        }
    }
}
