package dev.qsio.test;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.startsWith;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.qsio.Ack;
import dev.qsio.BroadcastContext;
import dev.qsio.Middleware;
import dev.qsio.OnBroadcast;
import dev.qsio.OnConnect;
import dev.qsio.OnDisconnect;
import dev.qsio.OnError;
import dev.qsio.OnEvent;
import dev.qsio.SocketIo;
import dev.qsio.SocketIoSocket;
import dev.qsio.runtime.server.HandlerDefinition;
import dev.qsio.runtime.server.SocketIoMetadata;
import io.quarkus.test.QuarkusUnitTest;

class ValidApplicationTest {

    @RegisterExtension
    static final QuarkusUnitTest test = new QuarkusUnitTest()
            .withApplicationRoot(root -> root.addClasses(Chat.class, Listener.class));

    @Inject
    SocketIoMetadata metadata;

    @Test
    void everyHandlerIsCollected() {
        assertThat(metadata.handlers())
                .extracting(h -> h.kind() + " " + h.method() + " " + h.namespace().name() + " " + h.event() + " "
                        + h.execution())
                .containsExactlyInAnyOrder(
                        "MIDDLEWARE admit /chat null WORKER",
                        "CONNECT connected /chat null WORKER",
                        "EVENT message /chat message WORKER",
                        "DISCONNECT disconnected /chat null WORKER",
                        "ERROR failed /chat null WORKER",
                        "BROADCAST news /chat news WORKER");
        HandlerDefinition message = metadata.handlers().stream().filter(h -> h.kind() == HandlerDefinition.Kind.EVENT)
                .findFirst().orElseThrow();
        assertThat(message.params()).containsExactly(new HandlerDefinition.Param(HandlerDefinition.ParamKind.SOCKET, null),
                new HandlerDefinition.Param(HandlerDefinition.ParamKind.ARG, "java.lang.String"),
                new HandlerDefinition.Param(HandlerDefinition.ParamKind.ACK, null));
        assertThat(message.returns()).isEqualTo(HandlerDefinition.Returns.VOID);
    }

    @Test
    void pollingHandshakeAnswersOpenPacket() {
        given().queryParam("EIO", "4").queryParam("transport", "polling")
                .when().get("/socket.io/")
                .then().statusCode(200)
                .body(startsWith("0{"));
    }

    @Test
    void clientBundleIsServed() {
        given().when().get("/socket.io/socket.io.js")
                .then().statusCode(200)
                .contentType(startsWith("application/javascript"));
    }

    @SocketIo("/chat")
    static class Chat {

        @Middleware
        void admit(SocketIoSocket socket) {
        }

        @OnConnect
        void connected(SocketIoSocket socket) {
        }

        @OnEvent("message")
        void message(SocketIoSocket socket, String text, Ack ack) {
            ack.send(text);
        }

        @OnDisconnect
        void disconnected(SocketIoSocket socket, String reason) {
        }

        @OnError
        void failed(SocketIoSocket socket, IllegalArgumentException error) {
        }
    }

    @ApplicationScoped
    static class Listener {

        @OnBroadcast(value = "news", namespace = "/chat")
        String news(String headline, BroadcastContext context) {
            return headline;
        }
    }
}
