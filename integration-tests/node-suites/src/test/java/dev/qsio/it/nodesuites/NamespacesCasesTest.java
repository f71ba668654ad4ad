package dev.qsio.it.nodesuites;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.qsio.ConnectionRefusedException;
import dev.qsio.Handshake;
import dev.qsio.Middleware;
import dev.qsio.NamespaceEvent;
import dev.qsio.NamespaceMatcher;
import dev.qsio.OnConnect;
import dev.qsio.OnDisconnect;
import dev.qsio.OnDisconnecting;
import dev.qsio.OnEvent;
import dev.qsio.RemoteSocket;
import dev.qsio.SocketIo;
import dev.qsio.SocketIoServer;
import dev.qsio.SocketIoSocket;
import dev.qsio.runtime.server.Namespace;
import dev.qsio.runtime.server.SocketIoServerImpl;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;

/**
 * {@code socket.io/test/namespaces.ts}. Node's {@code io.of(name).on("connection", ...)} is an {@link OnConnect}
 * method of a {@code @SocketIo(name)} class; {@code io.of(name)} in the test creates a namespace without handlers,
 * which clients can join. Node's {@code io.of(/regex/)} is {@code @SocketIo(pattern = ...)}, and {@code io.of(fn)} a
 * {@link NamespaceMatcher}. Node's cases that look at the server's namespace table ({@code io._nsps}) look at
 * {@link SocketIoServerImpl#namespaces()} here. The cases that need another setting are in
 * {@link NamespacesCleanupOffCasesTest} ({@code cleanupEmptyChildNamespaces} off, Node's default) and
 * {@link NamespacesConnectTimeoutCasesTest} (a short {@code connectTimeout}). As Node's {@code createClient}, a
 * client without {@code forceNew} shares the connection of the test's clients of other namespaces.
 */
@QuarkusTest
@NodeFile("socket.io/test/namespaces.ts")
class NamespacesCasesTest extends NodeCases {

    @Inject
    SocketIoServer io;

    @Inject
    SocketIoServerImpl server;

    static final Duration WAIT = Duration.ofSeconds(10);

    /** The main namespace's sockets that connected, by id: Node's {@code io.on("connection")} in several cases. */
    static final Map<String, SocketIoSocket> MAIN_CONNECTED = new ConcurrentHashMap<>();

    @SocketIo("/")
    static class Main {
        @OnConnect
        void connect(SocketIoSocket socket) {
            MAIN_CONNECTED.put(socket.id(), socket);
        }
    }

    String sid(String client) {
        return driver.await(client, "connect").path("sid").asText();
    }

    /** The namespace of that name in the server's table (Node's {@code io._nsps.get(name)}), or null. */
    Namespace table(String name) {
        return table(server, name);
    }

    static Namespace table(SocketIoServerImpl server, String name) {
        return server.namespaces().stream().filter(n -> n.name().equals(name)).findFirst().orElse(null);
    }

    /**
     * Emits {@code fence} to a client after what the case sent it: once it arrives, whatever was sent before it on the
     * same connection has arrived too, so a count read then is final.
     */
    void fence(String namespace, String client, String sid) {
        io.of(namespace).to(sid).emit("fence");
        driver.awaitEmit(client, "fence");
    }

    @Test
    @NodeCase("namespaces > should be accessible through .sockets")
    void theServerIsTheMainNamespace() {
        String client = connect("/");
        String sid = sid(client);
        // Node's io.sockets is the main namespace; here the server is that namespace, and io.of("/") is it too
        assertThat(io.name()).isEqualTo("/");
        assertThat(io.of("/").name()).isEqualTo("/");
        await().atMost(WAIT).until(() -> io.socket(sid) != null);
        assertThat(io.socket(sid)).isSameAs(io.of("/").socket(sid));
        assertThat(io.localSockets()).extracting(SocketIoSocket::id).contains(sid);
    }

    static final Set<String> ALIASED_USE = ConcurrentHashMap.newKeySet();

    @Test
    @NodeCase("namespaces > should be aliased")
    void theServersOperationsAreTheMainNamespaces() {
        // io.use: middleware of the main namespace (it marks only this case's client)
        io.use(socket -> {
            if ("aliased".equals(socket.handshake().queryParam("case"))) {
                ALIASED_USE.add(socket.id());
            }
            return Uni.createFrom().voidItem();
        });
        String client = connect("/", Map.of("query", Map.of("case", "aliased")), Map.of());
        String sid = sid(client);
        assertThat(ALIASED_USE).contains(sid);
        await().atMost(WAIT).until(() -> io.socket(sid) != null);
        io.socket(sid).join("aliased-room");

        io.to("aliased-room").emit("to");
        io.in("aliased-room").emit("in");
        io.emit("emit");
        io.compress(false).to("aliased-room").emit("compress");
        // Node's io.send(...) and io.write(...) are io.emit("message", ...)
        io.to("aliased-room").emit("message", "send");
        for (String event : List.of("to", "in", "emit", "compress", "message")) {
            driver.awaitEmit(client, event);
        }
        // Node's io.allSockets(): the ids of io.fetchSockets()
        assertThat(io.in("aliased-room").fetchSocketsAndAwait()).extracting(RemoteSocket::id).containsExactly(sid);
    }

    @SocketIo("/ns-immutable")
    static class Immutable {
    }

    @Test
    @NodeCase("namespaces > should return an immutable broadcast operator")
    void anOperatorIsNotChangedByWhatIsDerivedFromIt() {
        Map<String, List<String>> rooms = Map.of("r1", List.of("room1"), "r23", List.of("room2", "room3"),
                "r4", List.of("room4"), "r15", List.of("room1", "room5"), "r6", List.of("room6"));
        Map<String, String> sids = new ConcurrentHashMap<>();
        rooms.keySet().forEach(k -> sids.put(k, sid(connect("/ns-immutable", Map.of("forceNew", true), Map.of()))));
        await().atMost(WAIT).until(() -> sids.values().stream().allMatch(s -> io.of("/ns-immutable").socket(s) != null));
        rooms.forEach((k, r) -> io.of("/ns-immutable").socket(sids.get(k)).join(r.toArray(String[]::new)));

        var operator = io.of("/ns-immutable").local().to("room1", "room2").except("room3");
        operator.compress(true).emit("hello");
        operator.volatile_().emit("hello");
        operator.to("room4").emit("hello");
        operator.except("room5").emit("hello");
        io.of("/ns-immutable").to("room6").emit("hello");

        // still room1 or room2, except room3: neither room4 nor the exception of room5 stuck to it
        assertThat(operator.fetchSocketsAndAwait()).extracting(RemoteSocket::id)
                .containsExactlyInAnyOrder(sids.get("r1"), sids.get("r15"));
        // and the namespace itself still selects every socket
        assertThat(io.of("/ns-immutable").fetchSocketsAndAwait()).hasSize(rooms.size());
    }

    @Test
    @NodeCase("namespaces > should automatically connect")
    void aClientConnectsToTheMainNamespaceWithoutDeclaringIt() {
        String client = connect("/");
        JsonNode connected = driver.await(client, "connect");
        assertThat(connected.path("sid").asText()).isNotEmpty();
    }

    @Test
    @NodeCase("namespaces > should fire a `connection` event")
    void theConnectionHandlerRuns() {
        String sid = sid(connect("/"));
        await().atMost(WAIT).until(() -> MAIN_CONNECTED.containsKey(sid));
        assertThat(MAIN_CONNECTED.get(sid).namespace()).isEqualTo("/");
    }

    @Test
    @NodeCase("namespaces > should fire a `connect` event")
    void theConnectHandlerRunsWithTheConnectedSocket() {
        String sid = sid(connect("/"));
        await().atMost(WAIT).until(() -> MAIN_CONNECTED.containsKey(sid));
        SocketIoSocket socket = MAIN_CONNECTED.get(sid);
        assertThat(socket.connected()).isTrue();
        assertThat(socket).isSameAs(io.socket(sid));
    }

    @Test
    @NodeCase("namespaces > should work with many sockets")
    void namespacesCreatedWithOfTakeClients() {
        io.of("/ns-many-chat");
        io.of("/ns-many-news");
        String chat = connect("/ns-many-chat");
        String news = connect("/ns-many-news");
        String chatSid = sid(chat);
        String newsSid = sid(news);
        await().atMost(WAIT).until(() -> io.of("/ns-many-chat").socket(chatSid) != null
                && io.of("/ns-many-news").socket(newsSid) != null);
    }

    @Test
    @NodeCase("namespaces > should be able to equivalently start with \"\" or \"/\" on server")
    void aNameWithoutItsSlashIsTheSameNamespace() {
        io.of("ns-abc");
        String main = connect("/");
        String abc = connect("/ns-abc");
        String mainSid = sid(main);
        String abcSid = sid(abc);
        assertThat(io.of("").name()).isEqualTo("/");
        assertThat(io.of("ns-abc").name()).isEqualTo("/ns-abc");
        await().atMost(WAIT).until(() -> io.of("").socket(mainSid) != null && io.of("ns-abc").socket(abcSid) != null);
        assertThat(io.of("").socket(mainSid)).isSameAs(io.of("/").socket(mainSid));
        assertThat(io.of("ns-abc").socket(abcSid)).isSameAs(io.of("/ns-abc").socket(abcSid));
    }

    @Test
    @NodeCase("namespaces > should be equivalent for \"\" and \"/\" on client")
    void aUrlWithoutPathIsTheMainNamespace() {
        String sid = sid(connect(""));
        await().atMost(WAIT).until(() -> MAIN_CONNECTED.containsKey(sid));
        assertThat(io.of("/").socket(sid)).isNotNull();
    }

    static final AtomicInteger NEWS_FIRST = new AtomicInteger();
    static final AtomicInteger NEWS_SECOND = new AtomicInteger();

    @SocketIo("/ns-of-news")
    static class NewsFirst {
        @OnConnect
        void connect(SocketIoSocket socket) {
            NEWS_FIRST.incrementAndGet();
        }
    }

    @SocketIo("/ns-of-news")
    static class NewsSecond {
        @OnConnect
        void connect(SocketIoSocket socket) {
            NEWS_SECOND.incrementAndGet();
        }
    }

    @Test
    @NodeCase("namespaces > should work with `of` and many sockets")
    void twoClassesOfOneNamespaceBothHearTheConnection() {
        // Node's case connects /chat too, which nothing creates: it gets "Invalid namespace" and the case ignores it
        String chat = connect("/ns-of-chat");
        String news = connect("/ns-of-news");
        sid(news);
        await().atMost(WAIT).until(() -> NEWS_FIRST.get() == 1 && NEWS_SECOND.get() == 1);
        assertThat(driver.await(chat, "connect_error").path("message").asText()).isEqualTo("Invalid namespace");
    }

    static final List<String> SECOND_PARAM = new CopyOnWriteArrayList<>();

    @SocketIo("/ns-of-param-news")
    static class NewsTwoHandlers {
        @OnConnect
        void first(SocketIoSocket socket) {
            SECOND_PARAM.add("first " + socket.id());
        }

        @OnConnect
        void second(SocketIoSocket socket) {
            SECOND_PARAM.add("second " + socket.id());
        }
    }

    @Test
    @NodeCase("namespaces > should work with `of` second param")
    void twoConnectionHandlersOfOneClassBothRun() {
        connect("/ns-of-param-chat");
        String sid = sid(connect("/ns-of-param-news"));
        await().atMost(WAIT).untilAsserted(
                () -> assertThat(SECOND_PARAM).containsExactly("first " + sid, "second " + sid));
    }

    static final Map<String, SocketIoSocket> TRANSPORT_CONNECTED = new ConcurrentHashMap<>();
    static final Map<String, String> TRANSPORT_LEFT = new ConcurrentHashMap<>();

    @SocketIo("/ns-transport-chat")
    static class TransportChat {
        @OnConnect
        void connect(SocketIoSocket socket) {
            TRANSPORT_CONNECTED.put("chat", socket);
        }

        @OnDisconnect
        void disconnect(String reason) {
            TRANSPORT_LEFT.put("chat", reason);
        }
    }

    @SocketIo("/ns-transport-news")
    static class TransportNews {
        @OnConnect
        void connect(SocketIoSocket socket) {
            TRANSPORT_CONNECTED.put("news", socket);
        }

        @OnDisconnect
        void disconnect(String reason) {
            TRANSPORT_LEFT.put("news", reason);
        }
    }

    @Test
    @NodeCase("namespaces > should disconnect upon transport disconnection")
    void closingOneSocketsConnectionDisconnectsItsOtherNamespaces() {
        String chat = connect("/ns-transport-chat");
        String news = connect("/ns-transport-news");
        assertThat(driver.await(chat, "connect").path("engine").asText())
                .isEqualTo(driver.await(news, "connect").path("engine").asText());
        await().atMost(WAIT).until(() -> TRANSPORT_CONNECTED.size() == 2);
        TRANSPORT_CONNECTED.get("chat").disconnect(true);
        await().atMost(WAIT).until(() -> TRANSPORT_LEFT.size() == 2);
        assertThat(TRANSPORT_LEFT).containsEntry("chat", "server namespace disconnect");
        assertThat(TRANSPORT_LEFT.get("news")).isIn("transport close", "forced close", "server namespace disconnect");
        assertThat(TRANSPORT_CONNECTED.get("news").connected()).isFalse();
    }

    static final Map<String, Set<String>> DISCONNECTING_ROOMS = new ConcurrentHashMap<>();

    @SocketIo("/ns-disconnecting")
    static class Disconnecting {
        @Inject
        Vertx vertx;

        @OnConnect
        void connect(SocketIoSocket socket) {
            socket.join("a");
            vertx.runOnContext(v -> socket.disconnect(false));
        }

        @OnDisconnecting
        void disconnecting(SocketIoSocket socket) {
            DISCONNECTING_ROOMS.put("disconnecting", Set.copyOf(socket.rooms()));
        }

        @OnDisconnect
        void disconnect(SocketIoSocket socket) {
            DISCONNECTING_ROOMS.put("disconnect " + socket.id(), Set.copyOf(socket.rooms()));
        }
    }

    @Test
    @NodeCase("namespaces > should fire a `disconnecting` event just before leaving all rooms")
    void theRoomsAreStillThereWhenDisconnectingAndGoneOnDisconnect() {
        String client = connect("/ns-disconnecting");
        String sid = sid(client);
        await().atMost(WAIT).until(() -> DISCONNECTING_ROOMS.containsKey("disconnect " + sid));
        assertThat(DISCONNECTING_ROOMS.get("disconnecting")).containsExactlyInAnyOrder(sid, "a");
        assertThat(DISCONNECTING_ROOMS.get("disconnect " + sid)).isEmpty();
        assertThat(driver.await(client, "disconnect").path("reason").asText()).isEqualTo("io server disconnect");
    }

    @Test
    @NodeCase("namespaces > should return error connecting to non-existent namespace")
    void anUnknownNamespaceIsRefused() {
        String client = connect("/ns-doesnotexist");
        assertThat(driver.await(client, "connect_error").path("message").asText()).isEqualTo("Invalid namespace");
        assertThat(table("/ns-doesnotexist")).isNull();
    }

    static final Set<String> REUSE_CONNECTED = ConcurrentHashMap.newKeySet();

    @SocketIo("/ns-reuse")
    static class Reuse {
        @OnConnect
        void connect(SocketIoSocket socket) {
            REUSE_CONNECTED.add(socket.conn().id());
        }
    }

    @Test
    @NodeCase("namespaces > should not reuse same-namespace connections")
    void twoClientsOfOneNamespaceHaveAConnectionEach() {
        String one = connect("/ns-reuse");
        String two = connect("/ns-reuse");
        String engineOne = driver.await(one, "connect").path("engine").asText();
        String engineTwo = driver.await(two, "connect").path("engine").asText();
        assertThat(engineOne).isNotEqualTo(engineTwo);
        await().atMost(WAIT).untilAsserted(() -> assertThat(REUSE_CONNECTED).containsExactlyInAnyOrder(engineOne, engineTwo));
    }

    /** Node's chat and other clients of the three {@code find} cases: the first in bar, the second in foo. */
    record ChatAndOther(String chatBar, String chatFoo, String other) {
    }

    ChatAndOther chatAndOther(String chat, String other) {
        io.of(chat);
        io.of(other);
        String bar = sid(connect(chat));
        String foo = sid(connect(chat, Map.of("forceNew", true), Map.of()));
        String o = sid(connect(other, Map.of("forceNew", true), Map.of()));
        await().atMost(WAIT).until(() -> io.of(chat).socket(bar) != null && io.of(chat).socket(foo) != null
                && io.of(other).socket(o) != null);
        io.of(chat).socket(bar).join("bar");
        io.of(chat).socket(foo).join("foo");
        io.of(other).socket(o).join("foo");
        return new ChatAndOther(bar, foo, o);
    }

    @Test
    @NodeCase("namespaces > should find all clients in a namespace")
    void theSocketsOfANamespace() {
        ChatAndOther s = chatAndOther("/ns-find-chat", "/ns-find-other");
        assertThat(io.of("/ns-find-chat").fetchSocketsAndAwait()).extracting(RemoteSocket::id)
                .containsExactlyInAnyOrder(s.chatBar(), s.chatFoo()).doesNotContain(s.other());
    }

    @Test
    @NodeCase("namespaces > should find all clients in a namespace room")
    void theSocketsOfARoomOfANamespace() {
        ChatAndOther s = chatAndOther("/ns-find-room-chat", "/ns-find-room-other");
        assertThat(io.of("/ns-find-room-chat").in("foo").fetchSocketsAndAwait()).extracting(RemoteSocket::id)
                .containsExactly(s.chatFoo());
    }

    @Test
    @NodeCase("namespaces > should find all clients across namespace rooms")
    void theSocketsOfANamespaceWhateverTheirRooms() {
        ChatAndOther s = chatAndOther("/ns-find-across-chat", "/ns-find-across-other");
        assertThat(io.of("/ns-find-across-chat").fetchSocketsAndAwait()).extracting(RemoteSocket::id)
                .containsExactlyInAnyOrder(s.chatBar(), s.chatFoo()).doesNotContain(s.other());
    }

    @SocketIo("/ns-volatile-after")
    static class VolatileAfter {
        @Inject
        Vertx vertx;

        @Inject
        SocketIoServer io;

        @OnConnect
        void connect(SocketIoSocket socket) {
            // as Node's case: a moment after the connection, a regular event and right after it a volatile one
            vertx.setTimer(50, t -> {
                io.of("/ns-volatile-after").emit("ev", "data");
                io.of("/ns-volatile-after").volatile_().emit("ev", "data");
            });
        }
    }

    /**
     * Not Node's case ("should not emit volatile event after regular event", written off in the manifest): its default
     * client is on WebSocket by the time of the emits, where Node drops a volatile packet while the previous frame's
     * write has not called back and this server sends it (node-suites.adoc, the differences that stay). On polling, the
     * broadcast volatile packet that follows a regular one finds no request waiting and is dropped, as in Node.
     */
    @Test
    void aVolatileBroadcastRightAfterARegularOneIsDroppedOnPolling() {
        String client = connect("/ns-volatile-after", Map.of("transports", List.of("polling")), Map.of());
        String sid = sid(client);
        // both were emitted by the time the first arrives: the fence comes after them
        driver.awaitEmit(client, "ev");
        fence("/ns-volatile-after", client, sid);
        assertThat(driver.received(client, "ev")).isEqualTo(1);
    }

    @SocketIo("/ns-volatile")
    static class Volatile {
        @Inject
        Vertx vertx;

        @Inject
        SocketIoServer io;

        @OnConnect
        void connect(SocketIoSocket socket) {
            vertx.setTimer(100, t -> io.of("/ns-volatile").volatile_().emit("ev", "data"));
        }
    }

    @Test
    @NodeCase("namespaces > should emit volatile event")
    void aVolatileEventReachesAnIdleClient() {
        String client = connect("/ns-volatile");
        String sid = sid(client);
        assertThat(driver.awaitEmit(client, "ev").path("args").toString()).isEqualTo("[\"data\"]");
        fence("/ns-volatile", client, sid);
        assertThat(driver.received(client, "ev")).isEqualTo(1);
    }

    /**
     * Node's case sees the packet's {@code compress} option in {@code packetCreate}; here it is seen where it acts: a
     * polling response with the event, large enough to be compressed, is gzipped only when the packet may be.
     */
    String pollAfterBroadcast(String namespace, boolean compress) throws Exception {
        io.of(namespace);
        String sid = handshake();
        push(sid, "40" + namespace + ",");
        assertThat(poll(sid).get(0)).startsWith("40" + namespace + ",{\"sid\":");
        String big = "hi".repeat(2000);
        if (compress) {
            io.of(namespace).emit("woot", big);
        } else {
            io.of(namespace).compress(false).emit("woot", big);
        }
        HttpResponse<byte[]> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(url("/socket.io/") + "?EIO=4&transport=polling&sid=" + sid))
                .header("Accept-Encoding", "gzip").GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(response.statusCode()).isEqualTo(200);
        push(sid, "1");
        return response.headers().firstValue("Content-Encoding").orElse("none");
    }

    @Test
    @NodeCase("namespaces > should enable compression by default")
    void aBroadcastMayBeCompressed() throws Exception {
        assertThat(pollAfterBroadcast("/ns-compress", true)).isEqualTo("gzip");
    }

    @Test
    @NodeCase("namespaces > should disable compression")
    void aBroadcastWithCompressFalseIsNotCompressed() throws Exception {
        assertThat(pollAfterBroadcast("/ns-no-compress", false)).isEqualTo("none");
    }

    @Test
    @NodeCase("namespaces > should throw on reserved event")
    void aReservedEventNameIsRefused() {
        assertThatThrownBy(() -> io.emit("connect")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("\"connect\" is a reserved event name");
    }

    @Test
    @NodeCase("namespaces > should exclude a specific socket when emitting")
    void exceptASocketIdInTheMainNamespace() {
        String one = connect("/");
        String two = connect("/");
        sid(one);
        String sidTwo = sid(two);
        io.except(sidTwo).emit("a");
        driver.awaitEmit(one, "a");
        fence("/", two, sidTwo);
        assertThat(driver.received(two, "a")).isZero();
    }

    @Test
    @NodeCase("namespaces > should exclude a specific socket when emitting (in a namespace)")
    void exceptASocketIdInANamespace() {
        io.of("/ns-except-nsp");
        String one = connect("/ns-except-nsp");
        String two = connect("/ns-except-nsp");
        sid(one);
        String sidTwo = sid(two);
        io.of("/ns-except-nsp").except(sidTwo).emit("a");
        driver.awaitEmit(one, "a");
        fence("/ns-except-nsp", two, sidTwo);
        assertThat(driver.received(two, "a")).isZero();
    }

    @SocketIo("/ns-except-room")
    static class ExceptRoom {
        @Inject
        SocketIoServer io;

        @OnEvent("broadcast")
        void broadcast(SocketIoSocket socket) {
            socket.join("room1");
            io.of("/ns-except-room").except("room1").emit("a");
        }
    }

    @Test
    @NodeCase("namespaces > should exclude a specific room when emitting")
    void exceptARoom() {
        String one = connect("/ns-except-room");
        String two = connect("/ns-except-room");
        sid(one);
        String sidTwo = sid(two);
        driver.emit(two, "broadcast");
        driver.awaitEmit(one, "a");
        fence("/ns-except-room", two, sidTwo);
        assertThat(driver.received(two, "a")).isZero();
    }

    @SocketIo("/ns-static-chat")
    static class StaticChat {
    }

    @Test
    @NodeCase("namespaces > should not clean up a non-dynamic namespace")
    void aDeclaredNamespaceStaysWhenItsLastSocketLeaves() {
        String client = connect("/ns-static-chat");
        String sid = sid(client);
        await().atMost(WAIT).until(() -> io.of("/ns-static-chat").socket(sid) != null);
        Namespace before = table("/ns-static-chat");
        driver.disconnect(client);
        await().atMost(WAIT).until(() -> io.of("/ns-static-chat").socket(sid) == null);
        await().during(Duration.ofMillis(300)).atMost(WAIT).untilAsserted(() -> {
            assertThat(table("/ns-static-chat")).isSameAs(before);
            assertThat(before.localSockets()).isEmpty();
        });
    }

    // ---- new namespaces (Node's io.on("new_namespace"))

    /** The namespaces made after startup, as the application's observer of {@link NamespaceEvent} heard of them. */
    static final List<NamespaceEvent> CREATED = new CopyOnWriteArrayList<>();

    @jakarta.enterprise.context.ApplicationScoped
    static class NewNamespaces {
        void created(@jakarta.enterprise.event.Observes NamespaceEvent event) {
            CREATED.add(event);
        }
    }

    @SocketIo(pattern = "/ns-new-dyn-\\d+")
    static class NewDynamic {
    }

    @Test
    @NodeCase("namespaces > should emit an 'new_namespace' event")
    void aNamespaceMadeByOfIsTold() {
        io.of("/ns-new-nsp");
        assertThat(CREATED).contains(new NamespaceEvent("/ns-new-nsp", false));
        io.of("/ns-new-nsp");
        assertThat(CREATED).filteredOn(e -> e.namespace().equals("/ns-new-nsp")).hasSize(1);
    }

    @Test
    @NodeCase("namespaces > dynamic namespaces > should emit an 'new_namespace' event for a dynamic namespace")
    void aDynamicNamespaceMadeByAConnectIsTold() {
        String client = connect("/ns-new-dyn-101");
        driver.await(client, "connect");
        assertThat(CREATED).contains(new NamespaceEvent("/ns-new-dyn-101", true));
    }

    // ---- dynamic namespaces

    static final List<String> DYNAMIC_REGEX = new CopyOnWriteArrayList<>();

    @SocketIo(pattern = "/ns-dyn-regex-\\d+")
    static class DynamicRegex {
        @Inject
        SocketIoServer io;

        @Middleware
        void use(SocketIoSocket socket) {
            DYNAMIC_REGEX.add("middleware");
        }

        @OnConnect
        void connect(SocketIoSocket socket) {
            DYNAMIC_REGEX.add("connect " + socket.namespace());
            io.of(socket.namespace()).emit("hello", 1, "2", Map.of("3", "4"));
        }
    }

    @Test
    @NodeCase("namespaces > dynamic namespaces > should allow connections to dynamic namespaces with a regex")
    void aNameThePatternMatchesIsANamespace() {
        String client = connect("/ns-dyn-regex-101");
        sid(client);
        assertThat(driver.awaitEmit(client, "hello").path("args").toString()).isEqualTo("[1,\"2\",{\"3\":\"4\"}]");
        assertThat(DYNAMIC_REGEX).containsExactly("middleware", "connect /ns-dyn-regex-101");
        assertThat(driver.events(client, "connect_error")).isEmpty();
    }

    static final List<String> DYNAMIC_ROOM = new CopyOnWriteArrayList<>();

    @SocketIo(pattern = "/ns-dyn-room-\\d+")
    static class DynamicRoom {
        @Inject
        SocketIoServer io;

        @Middleware
        void use(SocketIoSocket socket) {
            DYNAMIC_ROOM.add("middleware");
        }

        @OnConnect
        void connect(SocketIoSocket socket) {
            DYNAMIC_ROOM.add("connect " + socket.namespace());
            socket.join("some-room");
            io.of(socket.namespace()).to("some-room").emit("hello", 4, "3", Map.of("2", "1"));
        }
    }

    @Test
    @NodeCase("namespaces > dynamic namespaces > should allow connections to dynamic namespaces with a regex and emit in a room")
    void aRoomOfADynamicNamespace() {
        String client = connect("/ns-dyn-room-101");
        sid(client);
        assertThat(driver.awaitEmit(client, "hello").path("args").toString()).isEqualTo("[4,\"3\",{\"2\":\"1\"}]");
        assertThat(DYNAMIC_ROOM).containsExactly("middleware", "connect /ns-dyn-room-101");
        assertThat(driver.events(client, "connect_error")).isEmpty();
    }

    /** Node's {@code io.of((name, query, next) => next(null, "/dynamic-101" === name))}. */
    @Singleton
    static class Only101 implements NamespaceMatcher {
        @Override
        public boolean matches(String name, Handshake handshake) {
            return "/ns-dyn-fn-101".equals(name);
        }
    }

    @SocketIo(matcher = Only101.class)
    static class DynamicFunction {
    }

    @Test
    @NodeCase("namespaces > dynamic namespaces > should allow connections to dynamic namespaces with a function")
    void aNameTheMatcherAcceptsIsANamespace() {
        String sid = sid(connect("/ns-dyn-fn-101"));
        await().atMost(WAIT).until(() -> table("/ns-dyn-fn-101") != null
                && table("/ns-dyn-fn-101").socket(sid) != null);
    }

    @SocketIo(pattern = "/ns-dyn-none-\\d+")
    static class DynamicNone {
    }

    @Test
    @NodeCase("namespaces > dynamic namespaces > should disallow connections when no dynamic namespace matches")
    void aNameNoPatternNorMatcherAcceptsIsRefused() {
        String client = connect("/ns-dyn-none-abc");
        assertThat(driver.await(client, "connect_error").path("message").asText()).isEqualTo("Invalid namespace");
        // the matcher's own name is one digit away: it is refused too
        String other = connect("/ns-dyn-fn-102");
        assertThat(driver.await(other, "connect_error").path("message").asText()).isEqualTo("Invalid namespace");
        assertThat(table("/ns-dyn-none-abc")).isNull();
    }

    /** Node's function buffers the {@code next} of two clients; the two connect to one namespace, made once. */
    @Singleton
    static class RaceMatcher implements NamespaceMatcher {
        @Override
        public boolean matches(String name, Handshake handshake) {
            return "/ns-dyn-race-101".equals(name);
        }
    }

    static final AtomicInteger RACE_CONNECTED = new AtomicInteger();

    @SocketIo(matcher = RaceMatcher.class)
    static class Race {
        @Inject
        SocketIoServer io;

        @OnConnect
        void connect(SocketIoSocket socket) {
            if (RACE_CONNECTED.incrementAndGet() == 2) {
                io.of("/ns-dyn-race-101").emit("message");
            }
        }
    }

    @Test
    @NodeCase("namespaces > dynamic namespaces > should handle race conditions with dynamic namespaces (#4136)")
    void twoClientsAskingForANewNameAtOnceShareOneNamespace() {
        String one = connect("/ns-dyn-race-101");
        String two = connect("/ns-dyn-race-101");
        driver.awaitEmit(one, "message");
        driver.awaitEmit(two, "message");
        Namespace namespace = table("/ns-dyn-race-101");
        assertThat(namespace.localSockets()).extracting(SocketIoSocket::id)
                .containsExactlyInAnyOrder(sid(one), sid(two));
    }

    @SocketIo(pattern = "/ns-dyn-clean-\\d+")
    static class DynamicClean {
    }

    @Test
    @NodeCase("namespaces > dynamic namespaces > should clean up namespace when cleanupEmptyChildNamespaces is on and there are no more sockets in a namespace")
    void aDynamicNamespaceIsForgottenWhenItsLastSocketLeaves() {
        String client = connect("/ns-dyn-clean-101");
        sid(client);
        assertThat(table("/ns-dyn-clean-101")).isNotNull();
        driver.disconnect(client);
        await().atMost(WAIT).until(() -> table("/ns-dyn-clean-101") == null);
    }

    @Test
    @NodeCase("namespaces > dynamic namespaces > should allow a client to connect to a cleaned up namespace")
    void aForgottenDynamicNamespaceIsMadeAgain() {
        String first = connect("/ns-dyn-clean-102");
        sid(first);
        Namespace before = table("/ns-dyn-clean-102");
        assertThat(before).isNotNull();
        driver.disconnect(first);
        await().atMost(WAIT).until(() -> table("/ns-dyn-clean-102") == null);
        String second = connect("/ns-dyn-clean-102");
        String sid = sid(second);
        assertThat(driver.events(second, "connect_error")).isEmpty();
        Namespace again = table("/ns-dyn-clean-102");
        assertThat(again).isNotNull().isNotSameAs(before);
        assertThat(again.socket(sid)).isNotNull();
    }

    @SocketIo(pattern = "/ns-dyn-refused-\\d+")
    static class DynamicRefused {
        @Middleware
        void refuse(SocketIoSocket socket) {
            throw new ConnectionRefusedException("You shall not pass!");
        }
    }

    @Test
    @NodeCase("namespaces > dynamic namespaces > should clean up namespace when cleanupEmptyChildNamespaces is ON and client is rejected in middleware")
    void aDynamicNamespaceWhoseOnlyClientIsRefusedIsForgotten() {
        String client = connect("/ns-dyn-refused-101", Map.of("reconnection", false), Map.of());
        assertThat(driver.await(client, "connect_error").path("message").asText()).isEqualTo("You shall not pass!");
        await().atMost(WAIT).until(() -> table("/ns-dyn-refused-101") == null);
        assertThat(driver.events(client, "connect")).isEmpty();
    }

    static final AtomicInteger ADMITTED = new AtomicInteger();

    @SocketIo(pattern = "/ns-dyn-second-refused-\\d+")
    static class DynamicSecondRefused {
        @Middleware
        void refuseAfterTheFirst(SocketIoSocket socket) {
            if (ADMITTED.getAndIncrement() > 0) {
                throw new ConnectionRefusedException("You shall not pass!");
            }
        }
    }

    @Test
    @NodeCase("namespaces > dynamic namespaces > should NOT clean up namespace when cleanupEmptyChildNamespaces is ON and client is rejected in middleware but there are other clients connected")
    void aDynamicNamespaceWithAClientLeftIsKeptWhenAnotherIsRefused() {
        String one = connect("/ns-dyn-second-refused-101");
        String sid = sid(one);
        String two = connect("/ns-dyn-second-refused-101", Map.of("reconnection", false), Map.of());
        assertThat(driver.await(two, "connect_error").path("message").asText()).isEqualTo("You shall not pass!");
        await().during(Duration.ofMillis(300)).atMost(WAIT).untilAsserted(() -> {
            Namespace namespace = table("/ns-dyn-second-refused-101");
            assertThat(namespace).isNotNull();
            assertThat(namespace.localSockets()).extracting(SocketIoSocket::id).containsExactly(sid);
        });
        assertThat(driver.events(two, "connect")).isEmpty();
    }

    static final List<String> ATTACHED = new CopyOnWriteArrayList<>();

    @SocketIo(pattern = "/ns-dyn-attach-\\d+")
    static class Attach {
        @OnConnect
        void connect(SocketIoSocket socket) {
            ATTACHED.add(socket.namespace());
        }
    }

    @Test
    @NodeCase("namespaces > dynamic namespaces > should attach a child namespace to its parent upon manual creation")
    void aNamespaceMadeByNameUnderAPatternIsOneOfItsChildren() {
        // io.of(name) for a name the pattern matches: the pattern's handlers serve it, and the parent reaches it
        io.of("/ns-dyn-attach-101");
        String client = connect("/ns-dyn-attach-101");
        sid(client);
        await().atMost(WAIT).until(() -> ATTACHED.contains("/ns-dyn-attach-101"));
        io.ofPattern("/ns-dyn-attach-\\d+").emit("from-parent");
        driver.awaitEmit(client, "from-parent");
    }
}
