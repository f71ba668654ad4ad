package dev.qsio.test.engine;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Singleton;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.qsio.HandshakeFilter;
import dev.qsio.HandshakeRequest;
import io.quarkus.test.QuarkusUnitTest;
import io.quarkus.test.common.http.TestHTTPResource;

/**
 * The handshake filter (Node's {@code allowRequest}), the origin list on both transports, and the upgrade timeout.
 */
class HandshakeGuardsTest {

    @RegisterExtension
    static final QuarkusUnitTest test = new QuarkusUnitTest()
            .withApplicationRoot(root -> root.addClasses(KeyFilter.class))
            .overrideConfigKey("quarkus.socketio.cors.origins", "https://good.example")
            .overrideConfigKey("quarkus.socketio.cors.credentials", "true")
            .overrideConfigKey("quarkus.socketio.upgrade-timeout", "300ms");

    @Singleton
    public static class KeyFilter implements HandshakeFilter {
        @Override
        public Decision check(HandshakeRequest request) {
            return "bad".equals(request.queryParam("key")) ? Decision.refuse("Bad key") : Decision.allow();
        }
    }

    @TestHTTPResource("/socket.io/")
    URL base;

    @Test
    void filterRefusesWithForbidden() {
        given().queryParam("EIO", "4").queryParam("transport", "polling").queryParam("key", "bad")
                .when().get("/socket.io/")
                .then().statusCode(403).body("code", equalTo(4)).body("message", equalTo("Bad key"));
        given().queryParam("EIO", "4").queryParam("transport", "polling").queryParam("key", "good")
                .when().get("/socket.io/")
                .then().statusCode(200).body(startsWith("0{"));
    }

    @Test
    void filterRefusesWebSocketHandshakes() {
        assertRefused(ws("EIO=4&transport=websocket&key=bad"), null);
    }

    @Test
    void originsOutsideTheListAreRefusedOnBothTransports() {
        given().header("Origin", "https://evil.example").queryParam("EIO", "4").queryParam("transport", "polling")
                .when().get("/socket.io/")
                .then().statusCode(403).body("code", equalTo(4));
        given().header("Origin", "https://good.example").queryParam("EIO", "4").queryParam("transport", "polling")
                .when().get("/socket.io/")
                .then().statusCode(200)
                .header("Access-Control-Allow-Origin", "https://good.example")
                .header("Access-Control-Allow-Credentials", "true");
        assertRefused(ws("EIO=4&transport=websocket"), "https://evil.example");
        WebSocket accepted = open(ws("EIO=4&transport=websocket"), "https://good.example", new Listener()).join();
        accepted.abort();
    }

    @Test
    void anUpgradeThatIsNotCompletedInTimeIsDropped() throws Exception {
        String open = given().queryParam("EIO", "4").queryParam("transport", "polling").when().get("/socket.io/")
                .then().statusCode(200).extract().asString();
        String sid = open.substring(open.indexOf("\"sid\":\"") + 7, open.indexOf("\"", open.indexOf("\"sid\":\"") + 7));
        Listener listener = new Listener();
        WebSocket ws = open(ws("EIO=4&transport=websocket&sid=" + sid), null, listener).join();
        // no probe, no upgrade packet: the server closes the WebSocket after 300 ms, and polling goes on
        assertThat(listener.closed.get(5, TimeUnit.SECONDS)).isNotNull();
        given().queryParam("EIO", "4").queryParam("transport", "polling").queryParam("sid", sid).body("6")
                .when().post("/socket.io/").then().statusCode(200).body(equalTo("ok"));
        ws.abort();
    }

    private String ws(String query) {
        return base.toString().replaceFirst("^http", "ws") + "?" + query;
    }

    private static CompletableFuture<WebSocket> open(String uri, String origin, Listener listener) {
        WebSocket.Builder builder = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
        if (origin != null) {
            builder.header("Origin", origin);
        }
        return builder.buildAsync(URI.create(uri), listener);
    }

    private static void assertRefused(String uri, String origin) {
        try {
            open(uri, origin, new Listener()).join().abort();
            throw new AssertionError("WebSocket accepted: " + uri);
        } catch (CompletionException e) {
            assertThat(e.getCause()).isInstanceOf(WebSocketHandshakeException.class);
            assertThat(((WebSocketHandshakeException) e.getCause()).getResponse().statusCode()).isEqualTo(403);
        }
    }

    static final class Listener implements WebSocket.Listener {
        final CompletableFuture<Integer> closed = new CompletableFuture<>();

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed.complete(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closed.complete(-1);
        }
    }
}
