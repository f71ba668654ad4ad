package dev.qsio.it.nodesuites;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.qsio.AckTimeoutException;
import dev.qsio.BroadcastOperator;
import dev.qsio.OnEvent;
import dev.qsio.SocketIo;
import dev.qsio.SocketIoNamespace;
import dev.qsio.SocketIoServer;
import dev.qsio.SocketIoSocket;
import io.quarkus.test.junit.QuarkusTest;

/**
 * {@code socket.io/test/messaging-many.ts}: broadcasts to a namespace, to rooms, to the others, with exclusions and
 * acknowledgements, and a socket's rooms. Node's clients open a connection each ({@code multiplex: false}); so do
 * these. Each case has a namespace of its own ({@code /many-N}, matched by a pattern, with its event handlers), and
 * the test drives the server API directly where Node's case does.
 */
@QuarkusTest
@NodeFile("socket.io/test/messaging-many.ts")
class MessagingManyCasesTest extends NodeCases {

    private static final AtomicInteger NAMESPACES = new AtomicInteger();

    /** The handlers of Node's {@code io.on("connection")} in these cases. */
    @SocketIo(pattern = "/many-\\d+")
    static class Many {
        @Inject
        SocketIoServer io;

        @OnEvent("join")
        void join(SocketIoSocket socket, String room) {
            socket.join(room);
        }

        @OnEvent("emit")
        void emit(SocketIoSocket socket, String room) {
            if (room == null) {
                // Node: io.in("woot").in("test").emit("a"), io.in("third").emit("b")
                io.of(socket.namespace()).in("woot").in("test").emit("a");
                io.of(socket.namespace()).in("third").emit("b");
            } else {
                io.of(socket.namespace()).in(room).emit("a");
            }
        }

        @OnEvent("broadcast")
        void broadcast(SocketIoSocket socket, String what) {
            switch (what == null ? "rest" : what) {
                case "rest" -> socket.broadcast().emit("a", "b");
                case "test" -> {
                    socket.broadcast().to("test").emit("a");
                    socket.emit("b");
                }
                case "test-binary" -> {
                    socket.broadcast().to("test").emit("bin", (Object) new byte[5]);
                    socket.emit("bin2", (Object) new byte[5]);
                }
                case "except-room1" -> socket.broadcast().except("room1").emit("a");
                default -> throw new IllegalArgumentException(what);
            }
        }

        @OnEvent("exclude")
        void exclude(SocketIoSocket socket, String id) {
            socket.broadcast().except(id).emit("a");
        }
    }

    @Inject
    SocketIoServer io;

    String ns;

    String newNamespace() {
        ns = "/many-" + NAMESPACES.incrementAndGet();
        return ns;
    }

    /** A client on a connection of its own ({@code multiplex: false}) to the case's namespace, connected. */
    String client(Map<String, List<Object>> replies) {
        String id = connect(ns, Map.of("multiplex", false), replies);
        driver.await(id, "connect");
        return id;
    }

    String client() {
        return client(Map.of());
    }

    /** The client's acknowledgement of {@code join}: the server joined it to the room. */
    void join(String id, String room) {
        driver.call(id, 5_000, "join", room);
    }

    /** Nothing named {@code event} reaches these clients (checked after what was awaited before). */
    void never(String event, String... ids) {
        for (String id : ids) {
            assertThat(driver.received(id, event)).as("%s received %s", id, event).isZero();
        }
    }

    @SocketIo(pattern = "/many-other-\\d+")
    static class Other {
    }

    /** Node's cases put a third client on another namespace, which must not get what the first is sent. */
    String otherNamespaceClient() {
        String id = connect(ns.replace("/many-", "/many-other-"), Map.of("multiplex", false), Map.of());
        driver.await(id, "connect");
        return id;
    }

    @Test
    @NodeCase("messaging many > emits to a namespace")
    void emitsToANamespace() {
        newNamespace();
        String one = client();
        String two = client();
        String other = otherNamespaceClient();
        io.of(ns).emit("a", "b");
        receives(one, "a", 1);
        receives(two, "a", 1);
        assertThat(driver.emits(one, "a").get(0).path("args").toString()).isEqualTo("[\"b\"]");
        never("a", other);
    }

    @Test
    @NodeCase("messaging many > emits binary data to a namespace")
    void emitsBinaryDataToANamespace() {
        newNamespace();
        String one = client();
        String two = client();
        String other = otherNamespaceClient();
        io.of(ns).emit("bin", (Object) new byte[10]);
        receives(one, "bin", 1);
        receives(two, "bin", 1);
        assertThat(driver.emits(two, "bin").get(0).path("args").get(0).has("$bin")).isTrue();
        never("bin", other);
    }

    @Test
    @NodeCase("messaging many > emits to the rest")
    void emitsToTheRest() {
        newNamespace();
        String one = client();
        String two = client();
        String other = otherNamespaceClient();
        driver.emit(two, "broadcast", "rest");
        receives(one, "a", 1);
        never("a", two, other);
    }

    @Test
    @NodeCase("messaging many > emits to rooms")
    void emitsToRooms() {
        newNamespace();
        String one = client();
        String two = client();
        driver.emit(one, "join", "woot");
        driver.emit(one, "emit", "woot");
        receives(one, "a", 1);
        never("a", two);
    }

    /** A socket in both rooms of {@code in("woot").in("test")} gets the event once. */
    @Test
    @NodeCase("messaging many > emits to rooms avoiding dupes")
    void emitsToRoomsOnce() {
        newNamespace();
        String one = client();
        String two = client();
        join(one, "woot");
        join(one, "test");
        join(two, "third");
        driver.emit(two, "emit", (Object) null);
        receives(one, "a", 1);
        receives(two, "b", 1);
        never("a", two);
    }

    @Test
    @NodeCase("messaging many > broadcasts to rooms")
    void broadcastsToRooms() {
        newNamespace();
        String one = client();
        String two = client();
        String three = client();
        join(one, "woot");
        join(two, "test");
        join(three, "test");
        driver.emit(three, "broadcast", "test");
        receives(two, "a", 1);
        receives(three, "b", 1);
        never("a", one, three);
    }

    @Test
    @NodeCase("messaging many > broadcasts binary data to rooms")
    void broadcastsBinaryDataToRooms() {
        newNamespace();
        String one = client();
        String two = client();
        String three = client();
        join(one, "woot");
        join(two, "test");
        join(three, "test");
        driver.emit(three, "broadcast", "test-binary");
        receives(two, "bin", 1);
        receives(three, "bin2", 1);
        never("bin", one, three);
        never("bin2", one, two);
    }

    /** The server socket of a client of the case's namespace. */
    SocketIoSocket socketOf(String id) {
        String sid = driver.events(id, "connect").get(0).path("sid").asText();
        SocketIoSocket socket = io.of(ns).socket(sid);
        assertThat(socket).isNotNull();
        return socket;
    }

    /**
     * Node's private {@code leaveAll()} runs when a socket disconnects; here a disconnected socket is in no room.
     */
    @Test
    @NodeCase("messaging many > keeps track of rooms")
    void keepsTrackOfRooms() {
        newNamespace();
        SocketIoSocket s = socketOf(client());
        s.join("a");
        assertThat(s.rooms()).contains(s.id(), "a");
        s.join("b");
        assertThat(s.rooms()).contains(s.id(), "a", "b");
        s.join("c");
        assertThat(s.rooms()).contains(s.id(), "a", "b", "c");
        s.leave("b");
        assertThat(s.rooms()).containsExactlyInAnyOrder(s.id(), "a", "c");
        s.disconnect(false);
        assertThat(s.rooms()).isEmpty();
    }

    @Test
    @NodeCase("messaging many > deletes empty rooms")
    void deletesEmptyRooms() {
        newNamespace();
        SocketIoSocket s = socketOf(client());
        s.join("a");
        assertThat(io.of(ns).rooms()).contains("a");
        s.leave("a");
        assertThat(io.of(ns).rooms()).doesNotContain("a");
    }

    @Test
    @NodeCase("messaging many > should properly cleanup left rooms")
    void leavingAnUnknownRoomChangesNothing() {
        newNamespace();
        SocketIoSocket s = socketOf(client());
        s.join("a");
        s.join("b");
        assertThat(s.rooms()).containsExactlyInAnyOrder(s.id(), "a", "b");
        s.leave("unknown");
        assertThat(s.rooms()).containsExactlyInAnyOrder(s.id(), "a", "b");
        s.disconnect(false);
        assertThat(s.rooms()).isEmpty();
        assertThat(io.of(ns).rooms()).doesNotContain("a", "b", s.id());
    }

    @Test
    @NodeCase("messaging many > allows to join several rooms at once")
    void joinsSeveralRoomsAtOnce() {
        newNamespace();
        SocketIoSocket s = socketOf(client());
        s.join("a", "b", "c");
        assertThat(s.rooms()).containsExactlyInAnyOrder(s.id(), "a", "b", "c");
    }

    @Test
    @NodeCase("messaging many > should exclude specific sockets when broadcasting")
    void excludesASocket() {
        newNamespace();
        String one = client();
        String two = client();
        String three = client();
        driver.emit(three, "exclude", driver.events(two, "connect").get(0).path("sid").asText());
        receives(one, "a", 1);
        never("a", two, three);
    }

    @Test
    @NodeCase("messaging many > should exclude a specific room when broadcasting")
    void excludesARoom() {
        newNamespace();
        String one = client();
        String two = client();
        String three = client();
        join(two, "room1");
        driver.emit(three, "broadcast", "except-room1");
        receives(one, "a", 1);
        never("a", two, three);
    }

    /**
     * Node's case reads the operator's private fields; here what the operator does shows it: deriving an operator
     * from another ({@code to}, {@code except}, {@code compress}, {@code volatile_}) leaves the first as it was.
     */
    @Test
    @NodeCase("messaging many > should return an immutable broadcast operator")
    void operatorsAreImmutable() {
        newNamespace();
        String inRoom1 = client();
        String inRoom4 = client();
        String inRoom3 = client();
        String inRoom5 = client();
        socketOf(inRoom1).join("room1");
        socketOf(inRoom4).join("room4");
        socketOf(inRoom3).join("room2", "room3");
        socketOf(inRoom5).join("room2", "room5");
        BroadcastOperator operator = io.of(ns).local().compress(false).to("room1", "room2").except("room3");
        operator.compress(true).emit("compressed");
        operator.volatile_().emit("volatile");
        operator.to("room4").emit("with-room4");
        operator.except("room5").emit("without-room5");
        operator.emit("plain");
        receives(inRoom1, "plain", 1);
        receives(inRoom5, "plain", 1);
        never("plain", inRoom4, inRoom3);
        receives(inRoom4, "with-room4", 1);
        receives(inRoom1, "with-room4", 1);
        never("without-room5", inRoom5, inRoom3, inRoom4);
        receives(inRoom1, "without-room5", 1);
        receives(inRoom1, "compressed", 1);
        never("compressed", inRoom3, inRoom4);
        never("volatile", inRoom3, inRoom4);
    }

    /** Three clients that answer {@code some event} with 1, 2 and 3, or not at all when {@code answers} is short. */
    List<String> answering(Object... answers) {
        newNamespace();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ids.add(client(i < answers.length ? Map.of("some event", List.of(answers[i])) : Map.of()));
        }
        return ids;
    }

    @Test
    @NodeCase("messaging many > should broadcast and expect multiple acknowledgements")
    void everyClientAcknowledges() {
        answering(1, 2, 3);
        List<Integer> answers = new ArrayList<>();
        List<Throwable> failures = new ArrayList<>();
        io.of(ns).timeout(Duration.ofSeconds(2)).emitWithAck(Integer.class, "some event").subscribe()
                .with(answers::addAll, failures::add);
        await().atMost(Duration.ofSeconds(10)).until(() -> !answers.isEmpty() || !failures.isEmpty());
        assertThat(failures).isEmpty();
        assertThat(answers).containsExactlyInAnyOrder(1, 2, 3);
    }

    /** Node's callback form: the error, with the answers that came in time ({@link AckTimeoutException#responses}). */
    @Test
    @NodeCase("messaging many > should fail when a client does not acknowledge the event in the given delay")
    void aSilentClientFailsTheBroadcastWithTheOthersAnswers() {
        answering(1, 2);
        List<Throwable> failures = new ArrayList<>();
        io.of(ns).timeout(Duration.ofMillis(200)).emitWithAck("some event").subscribe()
                .with(answers -> failures.add(new AssertionError("answered: " + answers)), failures::add);
        await().atMost(Duration.ofSeconds(10)).until(() -> !failures.isEmpty());
        assertThat(failures.get(0)).isInstanceOf(AckTimeoutException.class);
        AckTimeoutException timeout = (AckTimeoutException) failures.get(0);
        assertThat(timeout.received()).isEqualTo(2);
        assertThat(timeout.expected()).isEqualTo(3);
        assertThat(timeout.responses()).extracting(JsonNode::asInt).containsExactlyInAnyOrder(1, 2);
    }

    @Test
    @NodeCase("messaging many > should broadcast and expect multiple acknowledgements (promise)")
    void everyClientAcknowledgesAwaited() throws Exception {
        answering(1, 2, 3);
        List<JsonNode> answers = io.of(ns).timeout(Duration.ofSeconds(2)).emitWithAck("some event")
                .subscribeAsCompletionStage().get(10, TimeUnit.SECONDS);
        assertThat(answers).extracting(JsonNode::asInt).containsExactlyInAnyOrder(1, 2, 3);
    }

    @Test
    @NodeCase("messaging many > should fail when a client does not acknowledge the event in the given delay (promise)")
    void aSilentClientFailsTheAwaitedBroadcast() {
        answering(1, 2);
        SocketIoNamespace namespace = io.of(ns);
        Throwable failure = null;
        try {
            namespace.timeout(Duration.ofMillis(200)).emitWithAck("some event").subscribeAsCompletionStage().join();
        } catch (CompletionException e) {
            failure = e.getCause();
        }
        assertThat(failure).isInstanceOf(AckTimeoutException.class);
        assertThat(((AckTimeoutException) failure).responses()).extracting(JsonNode::asInt)
                .containsExactlyInAnyOrder(1, 2);
    }

    @Test
    @NodeCase("messaging many > should broadcast and return if the packet is sent to 0 client")
    void aBroadcastToNobodyCompletesEmpty() throws Exception {
        List<String> ids = answering(1, 2, 3);
        List<JsonNode> answers = io.of(ns).to("room123").timeout(Duration.ofMillis(200)).emitWithAck("some event")
                .subscribeAsCompletionStage().get(10, TimeUnit.SECONDS);
        assertThat(answers).isEmpty();
        never("some event", ids.toArray(String[]::new));
    }
}
