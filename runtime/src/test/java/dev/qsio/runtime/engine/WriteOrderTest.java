package dev.qsio.runtime.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.netty.channel.EventLoop;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.ext.web.Router;

/**
 * What a session is given reaches its WebSocket client in the order the session was given it, whichever threads it
 * came from. A packet sent from off the connection's event loop is written by a task queued on that loop; a
 * broadcast that runs on the loop itself writes at once. Without an order between them, a broadcast overtook what
 * had been sent before it: a recovered socket's missed packets, sent from its connection's context, arrived after
 * the live broadcast that followed them (HostDeathIT saw broadcast 1791 live, then the replay of 1391 to 1790).
 * <p>
 * The interleaving is made here rather than waited for: the loop is held by a task while another thread sends, then
 * that same task writes a broadcast on the loop.
 */
class WriteOrderTest {

    private Vertx vertx;
    private HttpServer http;
    private final CompletableFuture<EngineSession<EngineSession<?>>> opened = new CompletableFuture<>();
    private final List<String> received = new CopyOnWriteArrayList<>();
    private WebSocket client;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
        EngineOptions options = TestOptions.defaults();
        EngineServer<EngineSession<?>> engine = new EngineServer<>("/engine.io/", vertx, options,
                new SessionHandler<>() {
                    @Override
                    public EngineSession<?> onOpen(EngineSession<EngineSession<?>> session) {
                        opened.complete(session);
                        return session;
                    }

                    @Override
                    public void onMessage(EngineSession<?> connection, String text) {
                    }

                    @Override
                    public void onBinary(EngineSession<?> connection, Buffer data) {
                    }

                    @Override
                    public void onClose(EngineSession<?> connection, String reason) {
                    }
                }, null, OtherServers.Factory.NONE, refused -> {
                });
        Router router = Router.router(vertx);
        router.route("/engine.io/*").handler(engine);
        http = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1").toCompletionStage()
                .toCompletableFuture().get(10, TimeUnit.SECONDS);
        WebSocketClient ws = vertx.createWebSocketClient();
        client = ws.connect(http.actualPort(), "127.0.0.1", "/engine.io/?EIO=4&transport=websocket")
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        client.textMessageHandler(received::add);
        // the server closes the connection in one test: nothing to report
        client.exceptionHandler(e -> {
        });
    }

    @AfterEach
    void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** The messages the client received, without the open packet. */
    private List<String> messages() {
        List<String> m = new ArrayList<>(received);
        m.removeIf(s -> s.startsWith("0"));
        return m;
    }

    @Test
    void aBroadcastOnTheLoopComesAfterWhatWasSentBeforeFromAnotherThread() throws Exception {
        EngineSession<EngineSession<?>> session = opened.get(10, TimeUnit.SECONDS);
        assertThat(session.broadcastTarget()).as("the WebSocket is written by broadcasts directly").isNotNull();
        EventLoop loop = session.broadcastTarget().loop();
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch sent = new CountDownLatch(1);
        loop.execute(() -> {
            holding.countDown();
            try {
                sent.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            // as a broadcast that arrived on this loop (from a bus or Redis connection served here) is written
            Fanout fanout = new Fanout(EnginePacket.message("live"), false, 1);
            fanout.add(session);
            fanout.finish();
        });
        assertThat(holding.await(10, TimeUnit.SECONDS)).isTrue();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            session.send(EnginePacket.message("missed-" + i));
            expected.add("4missed-" + i);
        }
        expected.add("4live");
        sent.countDown();
        await().atMost(Duration.ofSeconds(10)).until(() -> messages().size() == expected.size());
        assertThat(messages()).containsExactlyElementsOf(expected);
    }

    @Test
    void aCloseOnTheLoopComesAfterWhatWasSentBeforeFromAnotherThread() throws Exception {
        EngineSession<EngineSession<?>> session = opened.get(10, TimeUnit.SECONDS);
        EventLoop loop = session.broadcastTarget().loop();
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch sent = new CountDownLatch(1);
        CompletableFuture<Short> closed = new CompletableFuture<>();
        client.closeHandler(v -> closed.complete(client.closeStatusCode()));
        loop.execute(() -> {
            holding.countDown();
            try {
                sent.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            session.close();
        });
        assertThat(holding.await(10, TimeUnit.SECONDS)).isTrue();
        for (int i = 0; i < 50; i++) {
            session.send(EnginePacket.message("last-" + i));
        }
        sent.countDown();
        closed.get(10, TimeUnit.SECONDS);
        assertThat(messages()).as("everything sent before the close reaches the client").hasSize(50)
                .startsWith("4last-0").endsWith("4last-49");
    }

    /** A broadcast written on the loop, as the fan-out of one that arrived there writes it. */
    private static void broadcast(EngineSession<?> session, String text) {
        Fanout fanout = new Fanout(EnginePacket.message(text), false, 1);
        fanout.add(session);
        fanout.finish();
    }

    @Test
    void whatIsSentOnTheLoopComesAfterTheBroadcastsOfTheTurnBeforeIt() throws Exception {
        EngineSession<EngineSession<?>> session = opened.get(10, TimeUnit.SECONDS);
        EventLoop loop = session.broadcastTarget().loop();
        loop.execute(() -> {
            // the broadcasts of a turn reach the connection together, at the loop's flush: a packet sent in between
            // must not overtake them
            broadcast(session, "b1");
            broadcast(session, "b2");
            session.send(EnginePacket.message("direct"));
            broadcast(session, "b3");
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> messages().size() == 4);
        assertThat(messages()).containsExactly("4b1", "4b2", "4direct", "4b3");
    }

    @Test
    void aCloseOnTheLoopComesAfterTheBroadcastsOfTheTurnBeforeIt() throws Exception {
        EngineSession<EngineSession<?>> session = opened.get(10, TimeUnit.SECONDS);
        EventLoop loop = session.broadcastTarget().loop();
        CompletableFuture<Short> closed = new CompletableFuture<>();
        client.closeHandler(v -> closed.complete(client.closeStatusCode()));
        loop.execute(() -> {
            for (int i = 0; i < 20; i++) {
                broadcast(session, "b" + i);
            }
            session.close();
        });
        closed.get(10, TimeUnit.SECONDS);
        assertThat(messages()).as("every broadcast written before the close reaches the client").hasSize(20)
                .startsWith("4b0").endsWith("4b19");
    }
}
