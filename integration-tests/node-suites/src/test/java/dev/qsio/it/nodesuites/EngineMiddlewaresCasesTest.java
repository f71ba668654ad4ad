package dev.qsio.it.nodesuites;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.vertx.core.Vertx;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.ext.web.Router;

/**
 * {@code engine.io/test/middlewares.js}: Node's {@code engine.use((req, res, next) => ...)}, a function that every
 * HTTP request of the engine goes through (the polling requests, the WebSocket upgrade), is a Vert.x route on the
 * Socket.IO path here (and on the raw Engine.IO endpoint's, {@link EngineCasesTest}), ordered before the extension's
 * (coming-from-node.adoc). The module's routes act only on the requests of these cases (query parameter {@code mw});
 * the others go on.
 */
@QuarkusTest
@NodeFile("engine.io/test/middlewares.js")
class EngineMiddlewaresCasesTest extends NodeCases {

    /** The routes each request with {@code mw=order} went through, by its {@code rid}. */
    static final Map<String, List<Integer>> ORDER = new ConcurrentHashMap<>();

    @ApplicationScoped
    static class Middlewares {
        void routes(@Observes Router router) {
            for (int i = 1; i <= 3; i++) {
                int n = i;
                // Socket.IO's path, and the raw Engine.IO endpoint's (EngineCasesTest)
                router.routeWithRegex("/(socket|engine)\\.io/.*").order(Integer.MIN_VALUE + i).handler(ctx -> {
                    String mw = ctx.request().getParam("mw");
                    if (mw == null) {
                        ctx.next();
                        return;
                    }
                    switch (mw) {
                        case "header" -> {
                            if (n == 1) {
                                ctx.response().putHeader("foo", "bar");
                            }
                            ctx.next();
                        }
                        case "order" -> {
                            ORDER.computeIfAbsent(ctx.request().getParam("rid"), k -> new CopyOnWriteArrayList<>()).add(n);
                            ctx.next();
                        }
                        case "end" -> ctx.response().setStatusCode(503).end();
                        default -> ctx.next();
                    }
                });
            }
        }
    }

    @Inject
    Vertx vertx;

    Response polling(String mw, String rid) {
        return given().queryParam("EIO", 4).queryParam("transport", "polling").queryParam("mw", mw)
                .queryParam("rid", rid).when().get(url("/socket.io/"));
    }

    /** A WebSocket open to the Engine.IO path and the headers of its upgrade's answer (readable only as it opens). */
    record Opened(WebSocket ws, io.vertx.core.MultiMap headers) {
    }

    /** A WebSocket to the Engine.IO path with {@code mw}. */
    Opened webSocket(String mw) throws Exception {
        WebSocketConnectOptions options = new WebSocketConnectOptions().setHost(root.getHost()).setPort(root.getPort())
                .setURI("/socket.io/?EIO=4&transport=websocket&mw=" + mw)
                // no Origin header, as Node's ws client sends none: the module's CORS origins would refuse this one's
                .setAllowOriginHeader(false);
        return vertx.createWebSocketClient().connect(options)
                .map(ws -> new Opened(ws, io.vertx.core.MultiMap.caseInsensitiveMultiMap().addAll(ws.headers())))
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    @NodeCase("middlewares > should apply middleware (polling)")
    void aRouteBeforeTheEngineSetsAHeaderOnPolling() {
        Response res = polling("header", "1");
        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.header("foo")).isEqualTo("bar");
        assertThat(res.asString()).startsWith("0{\"sid\":");
    }

    @Test
    @NodeCase("middlewares > should apply middleware (websocket)")
    void aRouteBeforeTheEngineSetsAHeaderOnTheUpgrade() throws Exception {
        Opened opened = webSocket("header");
        try {
            assertThat(opened.headers().get("foo")).isEqualTo("bar");
        } finally {
            opened.ws().close();
        }
    }

    @Test
    @NodeCase("middlewares > should apply all middlewares in order")
    void theRoutesRunInTheirOrder() {
        String rid = "order-" + System.nanoTime();
        assertThat(polling("order", rid).statusCode()).isEqualTo(200);
        assertThat(ORDER.get(rid)).containsExactly(1, 2, 3);
    }

    @Test
    @NodeCase("middlewares > should end the request (polling)")
    void aRouteThatEndsTheRequestOpensNoSession() {
        Response res = polling("end", "1");
        assertThat(res.statusCode()).isEqualTo(503);
        assertThat(res.asString()).doesNotContain("sid");
    }

    @Test
    @NodeCase("middlewares > should end the request (websocket)")
    void aRouteThatEndsTheUpgradeOpensNoWebSocket() {
        Throwable failure = null;
        try {
            webSocket("end").ws().close();
        } catch (Exception e) {
            failure = e instanceof java.util.concurrent.ExecutionException || e instanceof CompletionException
                    ? e.getCause()
                    : e;
        }
        assertThat(failure).isInstanceOf(UpgradeRejectedException.class);
        assertThat(((UpgradeRejectedException) failure).getStatus()).isEqualTo(503);
    }
}
