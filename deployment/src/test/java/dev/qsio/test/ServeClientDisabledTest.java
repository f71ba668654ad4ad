package dev.qsio.test;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.startsWith;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.qsio.OnConnect;
import dev.qsio.SocketIo;
import io.quarkus.test.QuarkusUnitTest;

class ServeClientDisabledTest {

    @RegisterExtension
    static final QuarkusUnitTest test = new QuarkusUnitTest()
            .withApplicationRoot(root -> root.addClasses(Handlers.class))
            .overrideConfigKey("quarkus.socketio.serve-client", "false");

    @Test
    void clientBundleIsNotServed() {
        // without the bundle the request goes to the engine, which refuses it (no EIO or transport)
        given().when().get("/socket.io/socket.io.js")
                .then().statusCode(400);
    }

    @Test
    void engineStillAnswers() {
        given().queryParam("EIO", "4").queryParam("transport", "polling")
                .when().get("/socket.io/")
                .then().statusCode(200)
                .body(startsWith("0{"));
    }

    @SocketIo
    static class Handlers {
        @OnConnect
        void connected() {
        }
    }
}
