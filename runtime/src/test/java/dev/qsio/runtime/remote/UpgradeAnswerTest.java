package dev.qsio.runtime.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.qsio.runtime.engine.EngineOptions;
import dev.qsio.runtime.engine.EngineServer;
import dev.qsio.runtime.engine.OtherServers;
import dev.qsio.runtime.engine.EngineSession;
import dev.qsio.runtime.engine.SessionHandler;
import dev.qsio.runtime.engine.SessionIds;
import dev.qsio.runtime.engine.TestOptions;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.ext.web.Router;

/**
 * A WebSocket upgrade that lands on a server other than the session's owner waits, after the client's upgrade packet,
 * for the owner's answer (take the session over, or relay it).
 * <p>
 * What the owner's session writes while it answers reaches the client: a packet written after the session switched to
 * the relayed transport, but before the answer left, went to the upgrading server ahead of the answer, which did not
 * relay the WebSocket yet and dropped it. CI met it as a client whose CONNECT answer was lost that way (HostDeathIT:
 * upgraded, never connected); now the relayed transport carries nothing until the answer is sent.
 * <p>
 * A client may also close that WebSocket meanwhile: a network
 * failure, a page closed. When the answer comes, the closed WebSocket is a normal event: the owner is told (its session
 * ends as it would for a close a moment later) and nothing is kept for it. Before, relaying it threw (Vert.x refuses
 * handlers on a closed WebSocket: "WebSocket is closed", logged at ERROR by the bus, 72 times in a fault campaign), its
 * entry stayed among the relayed WebSockets, and the owner's session lived on until its heartbeat timed out.
 * <p>
 * Two servers joined by an in-memory link that holds the owner's answer until the client's WebSocket has closed.
 */
class UpgradeAnswerTest {

    private static final String HOST = "127.0.0.1";

    private Vertx vertx;
    private Context bus;
    private final List<Throwable> busFailures = new CopyOnWriteArrayList<>();
    private final CompletableFuture<String> ownerClosed = new CompletableFuture<>();
    private Link ownerLink;
    private Link upgraderLink;
    private EngineServer<String> owner;
    private EngineServer<String> upgrader;
    private HttpServer ownerHttp;
    private HttpServer upgraderHttp;

    /** One server's side of the link: what it sends reaches the other's engine on the bus's context. */
    private final class Link implements EnginePeers {
        final String self;
        Link other;
        Receiver receiver;
        /** What the engine knows of the other servers, once it is made. */
        OtherServers others;
        /** Run once, on the bus, as the owner sends its answer to an upgrade, before the answer is on the link. */
        volatile Runnable beforeUpgradeAnswer;
        /** The owner's answers to upgrades are held while this is set, until released. */
        volatile boolean holdUpgradeAnswers;
        final List<Buffer> held = new CopyOnWriteArrayList<>();

        Link(String self) {
            this.self = self;
        }

        @Override
        public String self() {
            return self;
        }

        @Override
        public Set<String> others() {
            return Set.of(other.self);
        }

        @Override
        public void publish(Buffer message) {
            send(other.self, message);
        }

        @Override
        public void send(String member, Buffer message) {
            Runnable before = beforeUpgradeAnswer;
            if (before != null && type(message) == EngineMessages.Type.UPGRADE_RESPONSE) {
                beforeUpgradeAnswer = null;
                before.run();
            }
            if (holdUpgradeAnswers && type(message) == EngineMessages.Type.UPGRADE_RESPONSE) {
                held.add(message);
                return;
            }
            bus.runOnContext(v -> other.deliver(self, message));
        }

        @Override
        public void receive(Receiver receiver) {
            this.receiver = receiver;
        }

        void deliver(String from, Buffer message) {
            // as the bus does: what a listener throws is reported, and the next message is delivered
            try {
                receiver.onMessage(from, message);
            } catch (RuntimeException e) {
                busFailures.add(e);
            }
        }

        void release() {
            holdUpgradeAnswers = false;
            for (Buffer message : held) {
                bus.runOnContext(v -> other.deliver(self, message));
            }
            held.clear();
        }
    }

    private static EngineMessages.Type type(Buffer message) {
        try {
            return new EngineMessages.Reader(message).type;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private void start(long delayedConnectionMs) throws Exception {
        vertx = Vertx.vertx();
        bus = vertx.getOrCreateContext();
        EngineOptions options = TestOptions.defaults();
        ownerLink = new Link("owner");
        upgraderLink = new Link("upgrader");
        ownerLink.other = upgraderLink;
        upgraderLink.other = ownerLink;
        owner = new EngineServer<>("/engine.io/", vertx, options, handler(ownerClosed), null,
                engines(ownerLink, delayedConnectionMs), refused -> {
                });
        upgrader = new EngineServer<>("/engine.io/", vertx, options, handler(new CompletableFuture<>()), null,
                engines(upgraderLink, delayedConnectionMs), refused -> {
                });
        ownerHttp = listen(owner);
        upgraderHttp = listen(upgrader);
    }

    private static OtherServers.Factory engines(Link link, long delayedConnectionMs) {
        RemoteEngines engines = new RemoteEngines(link, 5_000, delayedConnectionMs);
        return server -> link.others = engines.of(server);
    }

    private boolean upgraderRelays(String sid) {
        return ((RemoteSessions) upgraderLink.others).relays(sid);
    }

    private static SessionHandler<String> handler(CompletableFuture<String> closed) {
        return new SessionIds(closed::complete);
    }

    private HttpServer listen(EngineServer<String> engine) throws Exception {
        Router router = Router.router(vertx);
        router.route("/engine.io/*").handler(engine);
        return get(vertx.createHttpServer().requestHandler(router).listen(0, HOST));
    }

    private static <T> T get(io.vertx.core.Future<T> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() throws Exception {
        get(vertx.close());
    }

    /**
     * Opens a polling session on the owner, then upgrades it on the other server and closes that WebSocket right after
     * the upgrade packet, while the owner's answer is held. Returns the session id once the client saw its WebSocket
     * closed.
     */
    private String upgradeElsewhereAndClose() throws Exception {
        HttpClient http = vertx.createHttpClient();
        String open = get(http.request(HttpMethod.GET, ownerHttp.actualPort(), HOST, "/engine.io/?EIO=4&transport=polling")
                .compose(r -> r.send().compose(response -> response.body()))).toString();
        assertThat(open).startsWith("0{\"sid\":\"");
        String sid = open.substring("0{\"sid\":\"".length(), open.indexOf('"', "0{\"sid\":\"".length()));

        upgraderLink.holdUpgradeAnswers = false;
        ownerLink.holdUpgradeAnswers = true;
        WebSocketClient wsClient = vertx.createWebSocketClient();
        WebSocket ws = get(wsClient.connect(upgraderHttp.actualPort(), HOST,
                "/engine.io/?EIO=4&transport=websocket&sid=" + sid));
        CompletableFuture<String> probe = new CompletableFuture<>();
        CompletableFuture<Void> closed = new CompletableFuture<>();
        ws.textMessageHandler(probe::complete);
        ws.closeHandler(v -> closed.complete(null));
        ws.writeTextMessage("2probe");
        assertThat(probe.get(10, TimeUnit.SECONDS)).isEqualTo("3probe");
        ws.writeTextMessage("5");
        await().atMost(Duration.ofSeconds(10)).until(() -> !ownerLink.held.isEmpty());
        ws.close();
        closed.get(10, TimeUnit.SECONDS);
        return sid;
    }

    @Test
    void whatTheOwnerWritesWhileItAnswersReachesTheRelayedWebSocket() throws Exception {
        start(0);
        HttpClient http = vertx.createHttpClient();
        String open = get(http.request(HttpMethod.GET, ownerHttp.actualPort(), HOST, "/engine.io/?EIO=4&transport=polling")
                .compose(r -> r.send().compose(response -> response.body()))).toString();
        String sid = open.substring("0{\"sid\":\"".length(), open.indexOf('"', "0{\"sid\":\"".length()));
        EngineSession<String> session = owner.session(sid);
        // the application has the session (no delay): the upgrade elsewhere is relayed, and the session writes just
        // as it switches to the relayed transport, before its answer leaves
        await().atMost(Duration.ofSeconds(10)).until(() -> session.connection() != null);
        ownerLink.beforeUpgradeAnswer = () -> session.send("written while answering");

        WebSocketClient wsClient = vertx.createWebSocketClient();
        WebSocket ws = get(wsClient.connect(upgraderHttp.actualPort(), HOST,
                "/engine.io/?EIO=4&transport=websocket&sid=" + sid));
        List<String> received = new CopyOnWriteArrayList<>();
        ws.textMessageHandler(received::add);
        ws.writeTextMessage("2probe");
        await().atMost(Duration.ofSeconds(10)).until(() -> received.contains("3probe"));
        ws.writeTextMessage("5");

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(received)
                .as("the frames of the relayed WebSocket").contains("4written while answering"));
        assertThat(upgraderRelays(sid)).isTrue();
        session.send("after");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(received)
                .containsSubsequence("4written while answering", "4after"));
        assertThat(busFailures).as("nothing thrown to the bus").isEmpty();
    }

    @Test
    void aRelayedWebSocketClosedBeforeTheOwnersAnswerEndsTheSessionQuietly() throws Exception {
        start(0);
        String sid = upgradeElsewhereAndClose();

        ownerLink.release();

        assertThat(ownerClosed.get(10, TimeUnit.SECONDS)).as("the owner's session ends at once, not by its heartbeat")
                .isEqualTo("transport close");
        assertThat(owner.session(sid)).isNull();
        await().atMost(Duration.ofSeconds(10)).until(() -> !upgraderRelays(sid));
        assertThat(busFailures).as("nothing thrown to the bus").isEmpty();
    }

    @Test
    void aSessionTakenOverWhoseWebSocketClosedBeforeTheOwnersAnswerIsNotKept() throws Exception {
        // the owner hands the session to the application only after a minute: the upgrade takes it over
        start(60_000);
        String sid = upgradeElsewhereAndClose();

        ownerLink.release();

        await().atMost(Duration.ofSeconds(10)).until(() -> owner.session(sid) == null);
        // the answer was delivered: a message sent after it on the same link comes after it
        CompletableFuture<Void> delivered = new CompletableFuture<>();
        bus.runOnContext(v -> delivered.complete(null));
        delivered.get(10, TimeUnit.SECONDS);
        assertThat(upgrader.session(sid)).as("no session adopted for a closed WebSocket").isNull();
        assertThat(upgraderRelays(sid)).isFalse();
        assertThat(busFailures).as("nothing thrown to the bus").isEmpty();
    }
}
