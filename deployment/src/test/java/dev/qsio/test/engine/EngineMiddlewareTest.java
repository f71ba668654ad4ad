package dev.qsio.test.engine;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.qsio.ConnectionError;
import dev.qsio.EngineMiddleware;
import dev.qsio.OnEvent;
import dev.qsio.SocketIo;
import dev.qsio.test.JavaClient;
import io.quarkus.test.QuarkusUnitTest;
import io.quarkus.test.common.http.TestHTTPResource;
import io.restassured.response.ValidatableResponse;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;

/**
 * {@link EngineMiddleware}: Node's {@code engine.use((req, res, next) => ...)}. Every request of the engine (the
 * handshake, the polling GETs and POSTs, the WebSocket upgrade) goes through the middleware beans in their
 * {@code @Priority} order; one that answers later holds the request without losing its body, and without holding the
 * application's only event loop; one that ends the response answers it; one that fails refuses it with 400 and code 3,
 * as Node answers {@code next(err)}. A CORS preflight and the client bundle do not go through them.
 */
class EngineMiddlewareTest {

    @RegisterExtension
    static final QuarkusUnitTest test = new QuarkusUnitTest()
            .withApplicationRoot(root -> root.addClasses(First.class, Second.class, Echo.class, Refusals.class,
                    JavaClient.class))
            .overrideConfigKey("quarkus.http.test-port", "0")
            .overrideConfigKey("quarkus.socketio.cors.origins", "https://chat.example")
            .overrideConfigKey("quarkus.vertx.event-loops-pool-size", "1");

    /** The middlewares each request went through, by its {@code rid} ({@code first}, {@code second}). */
    static final Map<String, List<String>> seen = new ConcurrentHashMap<>();
    /** The requests the second middleware holds ({@code mw=held}), by rid, until the test completes them. */
    static final Map<String, CompletableFuture<Void>> held = new ConcurrentHashMap<>();

    static void note(RoutingContext ctx, String name) {
        String rid = ctx.request().getParam("rid");
        seen.computeIfAbsent(rid == null ? "-" : rid, k -> new CopyOnWriteArrayList<>())
                .add(name + ":" + ctx.request().method() + ":" + Thread.currentThread().getName());
    }

    /** Runs first (priority 1): a header on every answer; {@code mw=end} answers 503 here; {@code mw=throw} throws. */
    @Singleton
    @Priority(1)
    public static class First implements EngineMiddleware {
        @Override
        public Uni<Void> apply(RoutingContext ctx) {
            note(ctx, "first");
            ctx.response().putHeader("x-first", "yes");
            String mw = ctx.request().getParam("mw");
            if ("end".equals(mw)) {
                ctx.response().setStatusCode(503).end("closed for maintenance");
            } else if ("throw".equals(mw)) {
                throw new IllegalStateException("no");
            }
            return Uni.createFrom().voidItem();
        }
    }

    /**
     * Runs second (priority 2): {@code mw=later} answers 50 ms later on another thread, {@code mw=held} when the test
     * says, {@code mw=fail} fails.
     */
    @Singleton
    @Priority(2)
    public static class Second implements EngineMiddleware {
        @Override
        public Uni<Void> apply(RoutingContext ctx) {
            note(ctx, "second");
            String mw = ctx.request().getParam("mw");
            if (mw == null) {
                return null;
            }
            return switch (mw) {
                case "later" -> Uni.createFrom().completionStage(CompletableFuture.runAsync(() -> {
                }, CompletableFuture.delayedExecutor(50, TimeUnit.MILLISECONDS)));
                case "held" -> Uni.createFrom().completionStage(
                        held.computeIfAbsent(ctx.request().getParam("rid"), r -> new CompletableFuture<>()));
                case "fail" -> Uni.createFrom().failure(new IllegalStateException("not this one"));
                default -> Uni.createFrom().voidItem();
            };
        }
    }

    @SocketIo
    public static class Echo {
        @OnEvent("echo")
        String echo(String text) {
            return text;
        }
    }

    /** The refusals that {@link ConnectionError} observers see. */
    @Singleton
    public static class Refusals {
        static final List<ConnectionError> seen = new CopyOnWriteArrayList<>();

        void on(@Observes ConnectionError error) {
            seen.add(error);
        }
    }

    @TestHTTPResource("/socket.io/")
    URL base;

    /** A polling GET with {@code query} besides EIO and transport. */
    static ValidatableResponse get(String query) {
        return given().urlEncodingEnabled(false).get("/socket.io/?EIO=4&transport=polling&" + query).then();
    }

    /** A polling POST with {@code query} besides EIO and transport. */
    static ValidatableResponse post(String query, String body) {
        return given().urlEncodingEnabled(false).contentType("text/plain;charset=UTF-8").body(body)
                .post("/socket.io/?EIO=4&transport=polling&" + query).then();
    }

    static String sid(String handshake) {
        int i = handshake.indexOf("\"sid\":\"") + 7;
        return handshake.substring(i, handshake.indexOf('"', i));
    }

    @Test
    void everyRequestOfASessionGoesThroughTheMiddlewaresInTheirOrder() {
        String handshake = get("rid=order").statusCode(200).header("x-first", "yes")
                .body(startsWith("0{")).extract().asString();
        String sid = sid(handshake);
        post("rid=order&sid=" + sid, "40").statusCode(200).header("x-first", "yes");
        get("rid=order&sid=" + sid).statusCode(200).body(startsWith("40{"));
        List<String> order = seen.get("order").stream().map(s -> s.substring(0, s.indexOf(':', s.indexOf(':') + 1)))
                .toList();
        assertThat(order).containsExactly("first:GET", "second:GET", "first:POST", "second:POST", "first:GET",
                "second:GET");
        assertThat(seen.get("order")).as("on the event loop").allMatch(s -> s.contains("vert.x-eventloop"));
    }

    @Test
    void aMiddlewareThatAnswersLaterKeepsTheBodyOfAPostAndTheEventLoopFree() throws Exception {
        String sid = sid(get("rid=later-open").statusCode(200).extract().asString());
        // the POST's body waits in the connection while its middleware answers, then reaches the session whole
        post("rid=later-post&mw=later&sid=" + sid, "40").statusCode(200).body(equalTo("ok"));
        get("rid=later-get&sid=" + sid).statusCode(200).body(startsWith("40{"));
        // a held POST does not hold the application's only event loop
        CompletableFuture<String> waiting = CompletableFuture.supplyAsync(() -> post("rid=held-post&mw=held&sid=" + sid,
                "42[\"echo\",\"held\"]").extract().asString());
        await().atMost(Duration.ofSeconds(10)).until(() -> held.containsKey("held-post"));
        try (JavaClient other = JavaClient.connect(base.getPort(), "/", Map.of())) {
            other.awaitConnected();
            assertThat(other.call("echo", "meanwhile")).containsExactly("meanwhile");
        }
        assertThat(waiting).isNotDone();
        held.get("held-post").complete(null);
        assertThat(waiting.get(10, TimeUnit.SECONDS)).isEqualTo("ok");
    }

    @Test
    void aMiddlewareThatEndsTheResponseAnswersTheRequestAndNoSessionOpens() {
        get("rid=end&mw=end").statusCode(503).body(equalTo("closed for maintenance"));
        assertThat(seen.get("end")).as("the second is not asked").hasSize(1);
        assertThat(websocketStatus("rid=end-ws&mw=end")).isEqualTo(503);
    }

    @Test
    void aMiddlewareThatFailsOrThrowsRefusesWith400AsNodeDoes() {
        int before = Refusals.seen.size();
        get("rid=fail&mw=fail").statusCode(400).contentType("application/json")
                .body("code", equalTo(3)).body("message", equalTo("Bad request"));
        get("rid=throw&mw=throw").statusCode(400).body("code", equalTo(3));
        assertThat(seen.get("throw")).as("the second is not asked after the first threw").hasSize(1);
        assertThat(websocketStatus("rid=fail-ws&mw=fail")).isEqualTo(400);
        // a request of a session too
        String sid = sid(get("rid=fail-open").statusCode(200).extract().asString());
        post("rid=fail-post&mw=fail&sid=" + sid, "40").statusCode(400);
        await().atMost(Duration.ofSeconds(5)).until(() -> Refusals.seen.size() >= before + 4);
        assertThat(Refusals.seen.subList(before, Refusals.seen.size())).allMatch(e -> e.code() == 3);
    }

    @Test
    void theWebSocketUpgradeGoesThroughThemAndKeepsTheirHeaders() throws Exception {
        String uri = base.toString().replaceFirst("^http", "ws") + "?EIO=4&transport=websocket&rid=ws&mw=later";
        CompletableFuture<String> first = new CompletableFuture<>();
        WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5))
                .buildAsync(URI.create(uri), new WebSocket.Listener() {
                    @Override
                    public java.util.concurrent.CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                        first.complete(data.toString());
                        return null;
                    }
                }).get(10, TimeUnit.SECONDS);
        try {
            assertThat(first.get(10, TimeUnit.SECONDS)).startsWith("0{");
            assertThat(seen.get("ws")).hasSize(2);
        } finally {
            ws.abort();
        }
    }

    @Test
    void aCorsPreflightIsAnsweredBeforeThem() {
        given().header("Origin", "https://chat.example").header("Access-Control-Request-Method", "POST")
                .queryParam("rid", "preflight").options("/socket.io/").then().statusCode(204);
        assertThat(seen).doesNotContainKey("preflight");
    }

    /** The status a refused WebSocket handshake answers with. */
    private int websocketStatus(String query) {
        String uri = base.toString().replaceFirst("^http", "ws") + "?EIO=4&transport=websocket&" + query;
        try {
            HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5))
                    .buildAsync(URI.create(uri), new WebSocket.Listener() {
                    }).join().abort();
            throw new AssertionError("WebSocket accepted: " + query);
        } catch (CompletionException e) {
            assertThat(e.getCause()).isInstanceOf(WebSocketHandshakeException.class);
            return ((WebSocketHandshakeException) e.getCause()).getResponse().statusCode();
        }
    }
}
