package dev.qsio.it.nodesuites;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.qsio.it.nodesuites.cluster.AdapterNamespaces;
import dev.qsio.it.support.ClientDriver;
import dev.qsio.it.support.ClusterProcess;

/**
 * {@code socket.io-cluster-adapter/test/index.ts}: Node's case forks three servers (its {@code worker.js}) and connects
 * one client to each; here one client of the official Node {@code socket.io-client} on each server of a layout
 * ({@link ClusterCases}), in a namespace of the case's own ({@link AdapterNamespaces}). What Node's case asks a worker
 * to do ({@code workers[0].send(...)}), the client of that server asks with the event {@code do}; the server runs it
 * with this extension's API and acknowledges what came of it. Node's case waits 100 ms before it reads the rooms; here
 * the test waits until they are what the case expects (or fails after 10 s).
 */
@NodeFile("socket.io-cluster-adapter/test/index.ts")
abstract class ClusterAdapterCases {

    private static final AtomicInteger IDS = new AtomicInteger();
    private static final AtomicInteger NAMESPACES = new AtomicInteger();

    abstract ClusterLayout layout();

    /** The clients of the case, and the number each answers with. */
    final List<String> clients = new ArrayList<>();
    final Map<String, Integer> numbers = new HashMap<>();

    ClientDriver driver() {
        return layout().driver;
    }

    @AfterEach
    void disconnect() {
        clients.forEach(driver()::disconnect);
    }

    /** What each client answers an emit of {@code test} that asks for an acknowledgement. */
    enum Replies {
        /** Nothing asked. */
        NONE,
        /** Its own number (Node's 1, 2 and 3). */
        NUMBER,
        /** Its own number as one byte of binary. */
        BINARY,
        /** Its own number, except the client of the last server: no answer. */
        LAST_SILENT
    }

    /**
     * Connects clients to a new namespace until each server of the layout has one (the primaries give a new
     * connection to a worker at random); returns them by server, the others disconnected.
     */
    List<String> place(String nsp, Replies replies) {
        ClusterLayout layout = layout();
        String[] placed = new String[layout.size()];
        for (int attempt = 0; attempt < 200 && Arrays.asList(placed).contains(null); attempt++) {
            int number = IDS.incrementAndGet();
            String id = "adapter-" + number;
            boolean silent = replies == Replies.LAST_SILENT && attempt % 2 == 1;
            Map<String, List<Object>> reply = switch (replies) {
                case NONE -> Map.of();
                case NUMBER -> Map.of("test", List.of(number));
                case BINARY -> Map.of("test", List.of(ClientDriver.bin(new byte[] { (byte) number })));
                case LAST_SILENT -> Map.of("test", silent ? List.of("$none") : List.of(number));
            };
            // a host whose servers all have their client yet gets no more
            List<ClusterProcess> hosts = new ArrayList<>();
            for (int i = 0; i < placed.length; i++) {
                if (placed[i] == null && !hosts.contains(layout.servers.get(i).host())) {
                    hosts.add(layout.servers.get(i).host());
                }
            }
            ClusterProcess host = hosts.get(attempt % hosts.size());
            driver().connect(id, host.url() + nsp, Map.of("forceNew", true), reply);
            clients.add(id);
            driver().await(id, "connect");
            int server = layout.indexOf(call(id, "where").get(0).asText());
            boolean fits = replies != Replies.LAST_SILENT || silent == (server == placed.length - 1);
            if (placed[server] == null && fits) {
                placed[server] = id;
                numbers.put(id, number);
            } else {
                driver().disconnect(id);
            }
        }
        assertThat(placed).as("a client on each server").doesNotContainNull();
        layout.awaitNamespace(nsp);
        return List.of(placed);
    }

    String newNamespace() {
        return "/adapter-" + NAMESPACES.incrementAndGet();
    }

    JsonNode call(String id, String event, Object... args) {
        return driver().call(id, 15_000, event, args);
    }

    /** Runs an operation of Node's {@code worker.js} on the server of client {@code id}; its outcome. */
    JsonNode act(String id, String operation) {
        return call(id, "do", operation).get(0);
    }

    void receivesTest(String id) {
        driver().awaitEmit(id, "test");
    }

    /** The clients receive nothing more of {@code test} than they have, for 300 ms. */
    void receiveNoMoreTest(List<String> ids) {
        Map<String, Long> now = new HashMap<>();
        ids.forEach(id -> now.put(id, driver().received(id, "test")));
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(3))
                .until(() -> ids.stream().allMatch(id -> driver().received(id, "test") == now.get(id)));
    }

    List<String> rooms(String id) {
        List<String> rooms = new ArrayList<>();
        call(id, "rooms").get(0).forEach(r -> rooms.add(r.asText()));
        return rooms;
    }

    void awaitRooms(String id, String room, boolean in) {
        await().atMost(Duration.ofSeconds(10)).until(() -> rooms(id).contains(room) == in);
    }

    void join(String id, String... rooms) {
        call(id, "join", List.of(rooms));
    }

    List<Object> answers(JsonNode outcome) {
        List<Object> answers = new ArrayList<>();
        outcome.path("answers").forEach(a -> answers.add(a.isNumber() ? (Object) a.asInt() : a.isTextual() ? a.asText() : a));
        return answers;
    }

    @Test
    @NodeCase("@socket.io/cluster-adapter > broadcast > broadcasts to all clients")
    void broadcastsToAllClients() {
        List<String> c = place(newNamespace(), Replies.NONE);
        act(c.get(0), "broadcast");
        for (String id : c) {
            JsonNode args = driver().awaitEmit(id, "test").get("args");
            assertThat(args.get(0).asInt()).isEqualTo(1);
            assertThat(args.get(1).asText()).isEqualTo("2");
            assertThat(ClientDriver.unbin(args.get(2))).containsExactly((byte) 3, (byte) 4);
        }
    }

    @Test
    @NodeCase("@socket.io/cluster-adapter > broadcast > broadcasts to all clients in a namespace")
    void broadcastsToAllClientsInANamespace() {
        String nsp = newNamespace();
        List<String> c = place(nsp, Replies.NONE);
        List<String> custom = place(nsp + "-custom", Replies.NONE);
        act(c.get(0), "broadcast-custom");
        custom.forEach(this::receivesTest);
        assertThat(c.stream().map(id -> driver().received(id, "test")).toList()).as("the other namespace's clients")
                .containsOnly(0L);
    }

    @Test
    @NodeCase("@socket.io/cluster-adapter > broadcast > broadcasts to all clients in a room")
    void broadcastsToAllClientsInARoom() {
        List<String> c = place(newNamespace(), Replies.NONE);
        join(c.get(1), "room1");
        act(c.get(0), "broadcast-room");
        receivesTest(c.get(1));
        List<String> others = new ArrayList<>(c);
        others.remove(1);
        receiveNoMoreTest(others);
        assertThat(others.stream().map(id -> driver().received(id, "test")).toList()).containsOnly(0L);
    }

    @Test
    @NodeCase("@socket.io/cluster-adapter > broadcast > broadcasts to all clients except in room")
    void broadcastsToAllClientsExceptInRoom() {
        List<String> c = place(newNamespace(), Replies.NONE);
        join(c.get(1), "room1");
        act(c.get(0), "broadcast-except");
        List<String> others = new ArrayList<>(c);
        others.remove(1);
        others.forEach(this::receivesTest);
        receiveNoMoreTest(c);
        assertThat(driver().received(c.get(1), "test")).isZero();
    }

    @Test
    @NodeCase("@socket.io/cluster-adapter > broadcast > broadcasts to local clients only")
    void broadcastsToLocalClientsOnly() {
        List<String> c = place(newNamespace(), Replies.NONE);
        act(c.get(0), "broadcast-local");
        receivesTest(c.get(0));
        receiveNoMoreTest(c);
        assertThat(c.subList(1, c.size()).stream().map(id -> driver().received(id, "test")).toList()).containsOnly(0L);
    }

    @Test
    @NodeCase("@socket.io/cluster-adapter > broadcast > broadcasts with multiple acknowledgements")
    void broadcastsWithMultipleAcknowledgements() {
        List<String> c = place(newNamespace(), Replies.NUMBER);
        JsonNode outcome = act(c.get(0), "acks");
        assertThat(outcome.has("error")).as(outcome.toString()).isFalse();
        assertThat(answers(outcome)).containsExactlyInAnyOrderElementsOf(c.stream().map(id -> (Object) numbers.get(id))
                .toList());
    }

    @Test
    @NodeCase("@socket.io/cluster-adapter > broadcast > broadcasts with multiple acknowledgements (binary content)")
    void broadcastsWithMultipleAcknowledgementsBinaryContent() {
        List<String> c = place(newNamespace(), Replies.BINARY);
        JsonNode outcome = act(c.get(0), "acks");
        assertThat(outcome.has("error")).as(outcome.toString()).isFalse();
        List<Integer> bytes = new ArrayList<>();
        for (JsonNode a : outcome.path("answers")) {
            assertThat(a.has("binary")).as("a binary answer: " + a).isTrue();
            bytes.add(a.path("binary").get(0).asInt() & 0xff);
        }
        assertThat(bytes).containsExactlyInAnyOrderElementsOf(c.stream().map(id -> numbers.get(id) & 0xff).toList());
    }

    @Test
    @NodeCase("@socket.io/cluster-adapter > broadcast > broadcasts with multiple acknowledgements (no client)")
    void broadcastsWithMultipleAcknowledgementsNoClient() {
        List<String> c = place(newNamespace(), Replies.NUMBER);
        JsonNode outcome = act(c.get(0), "acks-no-client");
        assertThat(outcome.has("error")).as(outcome.toString()).isFalse();
        assertThat(outcome.path("answers").isArray()).isTrue();
        assertThat(outcome.path("answers")).isEmpty();
    }

    @Test
    @NodeCase("@socket.io/cluster-adapter > broadcast > broadcasts with multiple acknowledgements (timeout)")
    void broadcastsWithMultipleAcknowledgementsTimeout() {
        List<String> c = place(newNamespace(), Replies.LAST_SILENT);
        JsonNode outcome = act(c.get(0), "acks");
        assertThat(outcome.path("type").asText()).as(outcome.toString()).isEqualTo("AckTimeoutException");
        assertThat(answers(outcome)).containsExactlyInAnyOrderElementsOf(c.subList(0, c.size() - 1).stream()
                .map(id -> (Object) numbers.get(id)).toList());
    }

    @Test
    @NodeCase("@socket.io/cluster-adapter > socketsJoin > makes all socket instances join the specified room")
    void makesAllSocketInstancesJoinTheSpecifiedRoom() {
        List<String> c = place(newNamespace(), Replies.NONE);
        act(c.get(0), "sockets-join");
        c.forEach(id -> awaitRooms(id, "room1", true));
    }

    /**
     * The cases on matching sockets are asked from the last server, so that with two servers one socket that must
     * change is on another server than the caller, as with Node's three.
     */
    @Test
    @NodeCase("@socket.io/cluster-adapter > socketsJoin > makes the matching socket instances join the specified room")
    void makesTheMatchingSocketInstancesJoinTheSpecifiedRoom() {
        List<String> c = place(newNamespace(), Replies.NONE);
        List<String> members = IntStream.range(0, c.size()).filter(i -> i != 1).mapToObj(c::get).toList();
        if (c.size() == 2) {
            members = List.of(c.get(0));
        }
        members.forEach(id -> join(id, "room1"));
        act(c.get(c.size() - 1), "sockets-join-matching");
        members.forEach(id -> awaitRooms(id, "room2", true));
        assertThat(rooms(c.get(1))).doesNotContain("room2");
    }

    @Test
    @NodeCase("@socket.io/cluster-adapter > socketsLeave > makes all socket instances leave the specified room")
    void makesAllSocketInstancesLeaveTheSpecifiedRoom() {
        List<String> c = place(newNamespace(), Replies.NONE);
        List<String> members = IntStream.range(0, c.size()).filter(i -> i % 2 == 0).mapToObj(c::get).toList();
        members.forEach(id -> join(id, "room1"));
        act(c.get(0), "sockets-leave");
        c.forEach(id -> awaitRooms(id, "room1", false));
    }

    @Test
    @NodeCase("@socket.io/cluster-adapter > socketsLeave > makes the matching socket instances leave the specified room")
    void makesTheMatchingSocketInstancesLeaveTheSpecifiedRoom() {
        List<String> c = place(newNamespace(), Replies.NONE);
        String both = c.get(0);
        String second = c.get(c.size() == 2 ? 1 : 2);
        join(both, "room1", "room2");
        join(second, "room2");
        act(c.get(c.size() - 1), "sockets-leave-matching");
        awaitRooms(both, "room2", false);
        assertThat(rooms(both)).contains("room1");
        assertThat(rooms(second)).contains("room2");
        if (c.size() > 2) {
            assertThat(rooms(c.get(1))).doesNotContain("room2");
        }
    }

    @Test
    @NodeCase("@socket.io/cluster-adapter > disconnectSockets > makes all socket instances disconnect")
    void makesAllSocketInstancesDisconnect() {
        List<String> c = place(newNamespace(), Replies.NONE);
        driver().emit(c.get(0), "do", "disconnect-sockets");
        for (String id : c) {
            assertThat(driver().await(id, "disconnect").path("reason").asText()).isEqualTo("io server disconnect");
        }
    }

    @Test
    @NodeCase("@socket.io/cluster-adapter > fetchSockets > returns all socket instances")
    void returnsAllSocketInstances() {
        List<String> c = place(newNamespace(), Replies.NONE);
        JsonNode ids = act(c.get(0), "fetch-sockets");
        List<String> fetched = new ArrayList<>();
        ids.forEach(i -> fetched.add(i.asText()));
        assertThat(fetched).containsExactlyInAnyOrderElementsOf(c.stream()
                .map(id -> driver().events(id, "connect").get(0).path("sid").asText()).toList());
    }

    @Test
    @NodeCase("@socket.io/cluster-adapter > serverSideEmit > sends an event to other server instances")
    void sendsAnEventToOtherServerInstances() {
        List<String> c = place(newNamespace(), Replies.NONE);
        act(c.get(0), "server-side-emit");
        for (String id : c.subList(1, c.size())) {
            await().atMost(Duration.ofSeconds(10)).until(() -> !call(id, "heard").get(0).isEmpty());
            assertThat(call(id, "heard").get(0).toString()).isEqualTo("[[\"world\",1,\"2\"]]");
        }
        assertThat(call(c.get(0), "heard").get(0)).as("the sender does not receive its own").isEmpty();
    }

    @Test
    @NodeCase("@socket.io/cluster-adapter > serverSideEmit > sends an event and receives a response from the other server instances")
    void sendsAnEventAndReceivesAResponseFromTheOtherServerInstances() {
        List<String> c = place(newNamespace(), Replies.NONE);
        List<Object> expected = new ArrayList<>();
        call(c.get(1), "answer-with", 2);
        expected.add(2);
        if (c.size() > 2) {
            call(c.get(2), "answer-with", "3");
            expected.add("3");
        }
        JsonNode outcome = act(c.get(0), "server-side-emit-with-ack");
        assertThat(outcome.has("error")).as(outcome.toString()).isFalse();
        assertThat(answers(outcome)).containsExactlyInAnyOrderElementsOf(expected);
    }

    /**
     * Server 1 answers, server 2 never does. With two servers, the one other server is the one that never answers,
     * and no answer comes in time.
     */
    @Test
    @NodeCase("@socket.io/cluster-adapter > serverSideEmit > sends an event but timeout if one server does not respond")
    void sendsAnEventButTimeoutIfOneServerDoesNotRespond() {
        List<String> c = place(newNamespace(), Replies.NONE);
        List<Object> expected = new ArrayList<>();
        if (c.size() > 2) {
            call(c.get(1), "answer-with", 2);
            expected.add(2);
        }
        call(c.get(c.size() - 1), "answer-with", "$silent");
        JsonNode outcome = act(c.get(0), "server-side-emit-with-ack");
        assertThat(outcome.path("type").asText()).as(outcome.toString()).isEqualTo("AckTimeoutException");
        assertThat(outcome.path("expected").asInt() - outcome.path("received").asInt()).as("missing 1 responses")
                .isEqualTo(1);
        assertThat(answers(outcome)).containsExactlyInAnyOrderElementsOf(expected);
    }
}
