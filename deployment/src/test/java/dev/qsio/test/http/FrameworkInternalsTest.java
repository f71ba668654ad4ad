package dev.qsio.test.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.qsio.runtime.internals.FrameworkInternals;
import dev.qsio.test.Failures;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ServerChannel;
import io.quarkus.test.QuarkusUnitTest;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.ext.web.Router;

/**
 * Every reach into Vert.x and Quarkus internals ({@link FrameworkInternals}) works with the versions of this build:
 * this test fails when an upgrade breaks one, where at run time most would quietly turn an optimisation off.
 */
class FrameworkInternalsTest {

    @RegisterExtension
    static final QuarkusUnitTest test = new QuarkusUnitTest()
            .withApplicationRoot(root -> root.addClasses(Failures.class, Failures.AnyNamespace.class, Probe.class));

    /** A route that looks at its request and at its WebSocket through the internals, as the engine does. */
    @ApplicationScoped
    static class Probe {
        static final Map<String, Object> SEEN = new ConcurrentHashMap<>();

        void routes(@Observes Router router) {
            router.get("/internals-probe").handler(ctx -> {
                SEEN.put("request channel", String.valueOf(FrameworkInternals.channel(ctx.request().connection())));
                // looked at when the client speaks: its frame handler is in place by then
                ctx.request().toWebSocket().onSuccess(ws -> ws.textMessageHandler(m -> look(ws)));
            });
            // answered from a thread of its own through onLoopOf: on the loop that read the request
            router.get("/internals-loop").handler(ctx -> {
                String reader = Thread.currentThread().getName();
                Thread other = new Thread(() -> FrameworkInternals.onLoopOf(ctx.request(),
                        () -> ctx.response().end(reader + " " + Thread.currentThread().getName())), "another-thread");
                other.start();
            });
        }

        private static void look(ServerWebSocket ws) {
            // the WebSocket of a routed request is Vert.x Web's wrapper
            SEEN.put("websocket class", ws.getClass().getName());
            Channel channel = FrameworkInternals.channel(ws);
            SEEN.put("websocket channel", String.valueOf(channel));
            if (channel != null) {
                SEEN.put("on the event loop", channel.eventLoop().inEventLoop());
                SEEN.put("connection handler",
                        String.valueOf(FrameworkInternals.connectionHandler(channel.pipeline())));
                SEEN.put("taken from the server",
                        String.valueOf(FrameworkInternals.httpServerConnection(ws, channel.pipeline())));
            }
            ws.writeFrame(FrameworkInternals.frame(false, Unpooled.copiedBuffer("shared bytes".getBytes())));
        }
    }

    @Inject
    Vertx vertx;

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    @Test
    void nothingReadByReflectionIsMissing() {
        assertThat(FrameworkInternals.unavailable()).isEmpty();
    }

    @Test
    void findsTheListeningChannelOfTheApplicationsHttpServer() {
        Channel channel = FrameworkInternals.listeningChannel(vertx, port);
        assertThat(channel).isInstanceOf(ServerChannel.class);
        assertThat(channel.isActive()).isTrue();
        assertThat(((InetSocketAddress) channel.localAddress()).getPort()).isEqualTo(port);
        assertThatThrownBy(() -> FrameworkInternals.listeningChannel(vertx, 1)).hasMessageContaining("no HTTP server")
                .hasMessageContaining("port 1");
    }

    @Test
    void seesTheConnectionsOfARoutedRequestAndOfItsWebSocket() throws Exception {
        HttpClient client = vertx.createHttpClient();
        try {
            WebSocket ws = client.webSocket(new WebSocketConnectOptions().setHost("localhost").setPort(port)
                    .setURI("/internals-probe")).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
            WebSocketFrame[] received = new WebSocketFrame[1];
            CountDownLatch text = new CountDownLatch(1);
            ws.frameHandler(f -> {
                received[0] = f;
                text.countDown();
            });
            ws.writeTextMessage("look");
            assertThat(text.await(60, TimeUnit.SECONDS)).isTrue();
            assertThat(received[0].isText()).isTrue();
            assertThat(received[0].textData()).isEqualTo("shared bytes");
        } finally {
            client.close();
        }
        assertThat(Probe.SEEN.get("request channel")).isNotEqualTo("null");
        assertThat(Probe.SEEN.get("websocket class"))
                .as("the routed WebSocket is wrapped (else the unwrap is not tested)")
                .isEqualTo("io.vertx.ext.web.impl.ServerWebSocketWrapper");
        assertThat(Probe.SEEN.get("websocket channel")).isNotEqualTo("null");
        assertThat(Probe.SEEN.get("on the event loop")).isEqualTo(true);
        assertThat(Probe.SEEN.get("connection handler")).isNotEqualTo("null");
        assertThat(Probe.SEEN.get("taken from the server")).isNotEqualTo("null");
    }

    @Test
    void runsATaskForARoutedRequestOnTheLoopThatReadIt() throws Exception {
        HttpClient client = vertx.createHttpClient();
        try {
            String body = client.request(io.vertx.core.http.HttpMethod.GET, port, "localhost", "/internals-loop")
                    .compose(req -> req.send().compose(res -> res.body())).toCompletionStage().toCompletableFuture()
                    .get(60, TimeUnit.SECONDS).toString();
            String[] threads = body.split(" ");
            assertThat(threads[0]).startsWith("vert.x-eventloop-thread-");
            assertThat(threads[1]).as("the task's thread").isEqualTo(threads[0]);
        } finally {
            client.close();
        }
    }

    @Test
    void namesThePrimarysAddressInTheStartupLineWhereQuarkusLeftItEmpty() {
        String before = FrameworkInternals.startupListening();
        try {
            io.quarkus.bootstrap.runner.Timing.setHttpServer(
                    "Listening on: . Management interface listening on http://0.0.0.0:9000.", false);
            FrameworkInternals.announceListening("http://0.0.0.0:8080");
            assertThat(FrameworkInternals.startupListening()).isEqualTo(
                    "Listening on: http://0.0.0.0:8080. Management interface listening on http://0.0.0.0:9000.");
            // a line that names a listener already is Quarkus' own: kept
            FrameworkInternals.announceListening("http://0.0.0.0:7070");
            assertThat(FrameworkInternals.startupListening()).startsWith("Listening on: http://0.0.0.0:8080.");
        } finally {
            io.quarkus.bootstrap.runner.Timing.setHttpServer(before, false);
        }
    }

    @Test
    void computesTheHashSlotsOfARedisCluster() {
        // the examples of the Redis Cluster specification
        assertThat(FrameworkInternals.redisSlot("foo")).isEqualTo(12182);
        assertThat(FrameworkInternals.redisSlot("{user1000}.following"))
                .isEqualTo(FrameworkInternals.redisSlot("{user1000}.followers"));
    }

    @Test
    void makesAnEventLoopContextOfANettyLoopCurrentWhileAHandlerRuns() throws Exception {
        io.netty.channel.EventLoop loop = (io.netty.channel.EventLoop) vertx.nettyEventLoopGroup().next();
        io.vertx.core.Context context = FrameworkInternals.eventLoopContext(vertx, loop);
        assertThat(context.isEventLoopContext()).isTrue();
        java.util.concurrent.CompletableFuture<Object[]> seen = new java.util.concurrent.CompletableFuture<>();
        // as Netty runs a handler of a connection Vert.x did not accept: on the loop, with no context current
        loop.execute(() -> {
            io.vertx.core.Context before = Vertx.currentContext();
            io.vertx.core.Context previous = FrameworkInternals.beginDispatch(context);
            io.vertx.core.Context during = Vertx.currentContext();
            FrameworkInternals.endDispatch(context, previous);
            seen.complete(new Object[] { before, during, Vertx.currentContext() });
        });
        Object[] contexts = seen.get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(contexts[1]).isSameAs(context);
        assertThat(contexts[2]).isSameAs(contexts[0]);
        // its timers and tasks run on that loop
        java.util.concurrent.CompletableFuture<Boolean> onLoop = new java.util.concurrent.CompletableFuture<>();
        context.runOnContext(v -> onLoop.complete(loop.inEventLoop() && Vertx.currentContext() == context));
        assertThat(onLoop.get(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void reachesQuarkusVirtualThreads() {
        assertThat(FrameworkInternals.virtualThreads()).isNotNull();
    }
}
