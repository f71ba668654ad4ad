package dev.qsio.it.nodesuites;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import jakarta.annotation.Priority;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.junit.jupiter.api.Test;

import dev.qsio.EngineMiddleware;
import io.quarkus.arc.properties.IfBuildProperty;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code engine.io/test/middlewares.js}: Node's {@code engine.use((req, res, next) => ...)}, a function that every
 * HTTP request of the engine goes through (the polling requests, the WebSocket upgrade), is an
 * {@link EngineMiddleware} bean here, ordered by {@code @Priority} (coming-from-node.adoc). The module's three act only
 * on the requests of these cases (query parameter {@code mw}); the others go on. They are left out of an application
 * whose build sets {@code node-suites.engine-middlewares=false}: one with WebTransport, which is refused while an
 * engine middleware exists, as in Node ({@link WebTransportCasesTest}, {@link WebTransportMiddlewareCasesTest}).
 */
@QuarkusTest
@NodeFile("engine.io/test/middlewares.js")
class EngineMiddlewaresCasesTest extends NodeCases {

    /** The middlewares each request with {@code mw=order} went through, by its {@code rid}. */
    static final Map<String, List<Integer>> ORDER = new ConcurrentHashMap<>();

    /** The module's middleware {@code n}: what each does for {@code mw} (header, order, end, fail). */
    static Uni<Void> middleware(int n, RoutingContext ctx) {
        String mw = ctx.request().getParam("mw");
        if (mw == null) {
            return Uni.createFrom().voidItem();
        }
        switch (mw) {
            case "header" -> {
                if (n == 1) {
                    ctx.response().putHeader("foo", "bar");
                }
            }
            case "order" -> ORDER.computeIfAbsent(ctx.request().getParam("rid"), k -> new CopyOnWriteArrayList<>()).add(n);
            case "end" -> ctx.response().setStatusCode(503).end();
            case "fail" -> {
                return Uni.createFrom().failure(new IllegalStateException("will always fail"));
            }
            default -> {
            }
        }
        return Uni.createFrom().voidItem();
    }

    /** The module's middleware {@code n}, in its place ({@code @Priority(n)}). */
    abstract static class Numbered implements EngineMiddleware {
        private final int n;

        Numbered(int n) {
            this.n = n;
        }

        @Override
        public Uni<Void> apply(RoutingContext ctx) {
            return middleware(n, ctx);
        }
    }

    @Singleton
    @Priority(1)
    @IfBuildProperty(name = "node-suites.engine-middlewares", stringValue = "true", enableIfMissing = true)
    static class First extends Numbered {
        First() {
            super(1);
        }
    }

    @Singleton
    @Priority(2)
    @IfBuildProperty(name = "node-suites.engine-middlewares", stringValue = "true", enableIfMissing = true)
    static class Second extends Numbered {
        Second() {
            super(2);
        }
    }

    @Singleton
    @Priority(3)
    @IfBuildProperty(name = "node-suites.engine-middlewares", stringValue = "true", enableIfMissing = true)
    static class Third extends Numbered {
        Third() {
            super(3);
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
    void aMiddlewareSetsAHeaderOnPolling() {
        Response res = polling("header", "1");
        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.header("foo")).isEqualTo("bar");
        assertThat(res.asString()).startsWith("0{\"sid\":");
    }

    @Test
    @NodeCase("middlewares > should apply middleware (websocket)")
    void aMiddlewareSetsAHeaderOnTheUpgrade() throws Exception {
        Opened opened = webSocket("header");
        try {
            assertThat(opened.headers().get("foo")).isEqualTo("bar");
        } finally {
            opened.ws().close();
        }
    }

    @Test
    @NodeCase("middlewares > should apply all middlewares in order")
    void theMiddlewaresRunInTheirOrder() {
        String rid = "order-" + System.nanoTime();
        assertThat(polling("order", rid).statusCode()).isEqualTo(200);
        assertThat(ORDER.get(rid)).containsExactly(1, 2, 3);
    }

    @Test
    @NodeCase("middlewares > should end the request (polling)")
    void aMiddlewareThatEndsTheRequestOpensNoSession() {
        Response res = polling("end", "1");
        assertThat(res.statusCode()).isEqualTo(503);
        assertThat(res.asString()).doesNotContain("sid");
    }

    @Test
    @NodeCase("middlewares > should end the request (websocket)")
    void aMiddlewareThatEndsTheUpgradeOpensNoWebSocket() {
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

    @Test
    @NodeCase("middlewares > should fail on errors (polling)")
    void aMiddlewareThatFailsRefusesThePollingHandshakeWith400() {
        Response res = polling("fail", "1");
        assertThat(res.statusCode()).isEqualTo(400);
        assertThat(res.asString()).isEqualTo("{\"code\":3,\"message\":\"Bad request\"}");
    }

    @Test
    @NodeCase("middlewares > should fail on errors (websocket)")
    void aMiddlewareThatFailsRefusesTheUpgrade() {
        Throwable failure = null;
        try {
            webSocket("fail").ws().close();
        } catch (Exception e) {
            failure = e instanceof java.util.concurrent.ExecutionException || e instanceof CompletionException
                    ? e.getCause()
                    : e;
        }
        assertThat(failure).isInstanceOf(UpgradeRejectedException.class);
        assertThat(((UpgradeRejectedException) failure).getStatus()).isEqualTo(400);
    }
}
