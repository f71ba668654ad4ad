package dev.qsio.test.hooks;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import java.io.IOException;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.qsio.SocketIo;
import dev.qsio.test.RawConnection;
import dev.qsio.testkit.ClientSocket;
import dev.qsio.testkit.SocketIoConnector;
import dev.qsio.testkit.Transport;
import io.quarkus.test.QuarkusUnitTest;
import io.restassured.response.Response;
import io.vertx.ext.web.Router;

/**
 * Node's engine hooks as Vert.x routes in front of the Socket.IO path, which an application may use rather than
 * {@link dev.qsio.EngineMiddleware} beans (the first-class counterpart, {@code EngineMiddlewareTest}):
 * {@code io.engine.use(middleware)} (every HTTP request of the engine: handshake, polling, the WebSocket upgrade), and
 * the {@code initial_headers} and {@code headers} events (headers added to the handshake's response, and to every
 * response).
 */
class EngineHookRoutesTest {

    @RegisterExtension
    static final QuarkusUnitTest test = new QuarkusUnitTest()
            .withApplicationRoot(root -> root.addClasses(Main.class, EngineHooks.class, RawConnection.class));

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    @SocketIo("/")
    public static class Main {
    }

    @Singleton
    public static class EngineHooks {
        void routes(@Observes Router router) {
            // io.engine.use((req, res, next) => ...): before the engine, on every request of its path
            router.route("/socket.io/*").order(Integer.MIN_VALUE).handler(ctx -> {
                if ("blocked".equals(ctx.request().getParam("tenant"))) {
                    ctx.response().setStatusCode(403).end("tenant blocked");
                    return;
                }
                // io.engine.on("headers", (headers, req) => ...): every response, the WebSocket's 101 included (Vert.x
                // sends the response's headers with it; a headers-end handler would not run for it)
                ctx.response().putHeader("x-served-by", "node-a");
                if (ctx.request().getParam("sid") == null) {
                    // io.engine.on("initial_headers", (headers, req) => ...): the handshake's response only
                    ctx.response().putHeader("x-handshake", "yes");
                }
                ctx.next();
            });
        }
    }

    @Test
    void middlewareRefusesAndHeadersAreAdded() {
        given().queryParam("EIO", "4").queryParam("transport", "polling").queryParam("tenant", "blocked")
                .when().get("/socket.io/").then().statusCode(403);
        Response handshake = given().queryParam("EIO", "4").queryParam("transport", "polling")
                .when().get("/socket.io/");
        handshake.then().statusCode(200).header("x-served-by", equalTo("node-a")).header("x-handshake", equalTo("yes"));
        String sid = handshake.asString().replaceAll("(?s).*\"sid\":\"([^\"]+)\".*", "$1");
        given().queryParam("EIO", "4").queryParam("transport", "polling").queryParam("sid", sid).body("40")
                .when().post("/socket.io/").then().statusCode(200)
                .header("x-served-by", equalTo("node-a")).header("x-handshake", nullValue());
        // the official client through the same routes, on both transports, and refused when the middleware says so
        try (ClientSocket client = SocketIoConnector.create().transports(Transport.POLLING, Transport.WEBSOCKET)
                .connectAndAwait()) {
            assertThat(client.connected()).isTrue();
        }
        // the WebSocket transport's request passes the middleware too
        given().queryParam("EIO", "4").queryParam("transport", "websocket").queryParam("tenant", "blocked")
                .when().get("/socket.io/").then().statusCode(403);
    }

    @Test
    void theWebSocketsAnswerCarriesTheHeaders() throws IOException {
        // a session opened on WebSocket at once: the 101 is the handshake's response
        try (RawConnection raw = new RawConnection(port)) {
            RawConnection.Response answer = raw.upgrade("/socket.io/?EIO=4&transport=websocket", "");
            assertThat(answer.status()).contains("101");
            assertThat(answer.header("x-served-by")).isEqualTo("node-a");
            assertThat(answer.header("x-handshake")).isEqualTo("yes");
            assertThat(raw.next().text()).startsWith("0{\"sid\"");
        }
        // the upgrade of a polling session: a response of the session, not its handshake
        String sid = given().queryParam("EIO", "4").queryParam("transport", "polling").when().get("/socket.io/")
                .asString().replaceAll("(?s).*\"sid\":\"([^\"]+)\".*", "$1");
        try (RawConnection raw = new RawConnection(port)) {
            RawConnection.Response answer = raw.upgrade("/socket.io/?EIO=4&transport=websocket&sid=" + sid, "");
            assertThat(answer.status()).contains("101");
            assertThat(answer.header("x-served-by")).isEqualTo("node-a");
            assertThat(answer.header("x-handshake")).isNull();
        }
    }
}
