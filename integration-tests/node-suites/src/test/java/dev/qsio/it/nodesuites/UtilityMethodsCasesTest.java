package dev.qsio.it.nodesuites;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.qsio.RemoteSocket;
import dev.qsio.SocketIo;
import dev.qsio.SocketIoNamespace;
import dev.qsio.SocketIoServer;
import dev.qsio.SocketIoSocket;
import io.quarkus.test.junit.QuarkusTest;

/**
 * {@code socket.io/test/utility-methods.ts}: {@code fetchSockets}, {@code socketsJoin}, {@code socketsLeave} and
 * {@code disconnectSockets} on the server and on a selection of rooms. As in Node's {@code beforeEach}, each case
 * starts with three official clients on WebSocket; each case has a namespace of its own ({@code /util-N}, matched by
 * a pattern), so that the cases do not see each other's sockets. The test calls the server API directly, as Node's
 * cases do.
 */
@QuarkusTest
@NodeFile("socket.io/test/utility-methods.ts")
class UtilityMethodsCasesTest extends NodeCases {

    private static final AtomicInteger NAMESPACES = new AtomicInteger();

    @SocketIo(pattern = "/util-\\d+")
    static class Util {
    }

    /**
     * What a client says when its server disconnects it and closes its connection: the DISCONNECT packet, or the
     * connection's end when that is read first (Node's case only waits for the event).
     */
    static final List<String> LEFT = List.of("io server disconnect", "transport close");

    @Inject
    SocketIoServer io;

    SocketIoNamespace namespace;
    List<String> clients;
    List<SocketIoSocket> sockets;

    /** Node's beforeEach: three clients on WebSocket, connected; their server sockets in the clients' order. */
    void threeClients() {
        String name = "/util-" + NAMESPACES.incrementAndGet();
        clients = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            clients.add(connect(name, Map.of("transports", List.of("websocket"), "query", Map.of("who", i)), Map.of()));
        }
        List<String> sids = clients.stream().map(id -> driver.await(id, "connect").path("sid").asText()).toList();
        namespace = io.of(name);
        sockets = sids.stream().map(namespace::socket).toList();
        assertThat(sockets).doesNotContainNull();
    }

    /** Node's cases put the first socket in room1 and room2, the second in room1, the third in room2. */
    void rooms() {
        sockets.get(0).join("room1", "room2");
        sockets.get(1).join("room1");
        sockets.get(2).join("room2");
    }

    @Test
    @NodeCase("utility methods > fetchSockets > returns all socket instances")
    void fetchSocketsReturnsEverySocket() {
        threeClients();
        List<RemoteSocket> all = namespace.fetchSocketsAndAwait();
        assertThat(all).extracting(RemoteSocket::id)
                .containsExactlyInAnyOrderElementsOf(sockets.stream().map(SocketIoSocket::id).toList());
    }

    @Test
    @NodeCase("utility methods > fetchSockets > returns all socket instances in the given room")
    void fetchSocketsOfARoom() {
        threeClients();
        rooms();
        assertThat(namespace.in("room1").fetchSocketsAndAwait()).extracting(RemoteSocket::id)
                .containsExactlyInAnyOrder(sockets.get(0).id(), sockets.get(1).id());
    }

    @Test
    @NodeCase("utility methods > socketsJoin > makes all socket instances join the given room")
    void socketsJoinOfEverySocket() {
        threeClients();
        namespace.socketsJoin("room1");
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> sockets.forEach(s -> assertThat(s.rooms()).contains("room1")));
    }

    @Test
    @NodeCase("utility methods > socketsJoin > makes all socket instances in a room join the given room")
    void socketsJoinOfARoom() {
        threeClients();
        rooms();
        namespace.in("room1").socketsJoin("room3");
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(sockets.get(0).rooms()).contains("room3");
            assertThat(sockets.get(1).rooms()).contains("room3");
        });
        assertThat(sockets.get(2).rooms()).doesNotContain("room3");
    }

    @Test
    @NodeCase("utility methods > socketsLeave > makes all socket instances leave the given room")
    void socketsLeaveOfEverySocket() {
        threeClients();
        rooms();
        namespace.socketsLeave("room1");
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(sockets.get(0).rooms()).contains("room2").doesNotContain("room1");
            assertThat(sockets.get(1).rooms()).doesNotContain("room1");
        });
    }

    @Test
    @NodeCase("utility methods > socketsLeave > makes all socket instances in a room leave the given room")
    void socketsLeaveOfARoom() {
        threeClients();
        rooms();
        namespace.in("room2").socketsLeave("room1");
        await().atMost(Duration.ofSeconds(5)).untilAsserted(
                () -> assertThat(sockets.get(0).rooms()).contains("room2").doesNotContain("room1"));
        assertThat(sockets.get(1).rooms()).contains("room1");
    }

    @Test
    @NodeCase("utility methods > disconnectSockets > makes all socket instances disconnect")
    void disconnectSocketsOfEverySocket() {
        threeClients();
        namespace.disconnectSockets(true);
        for (String id : clients) {
            assertThat(driver.await(id, "disconnect").path("reason").asText()).isIn(LEFT);
        }
    }

    @Test
    @NodeCase("utility methods > disconnectSockets > makes all socket instances in a room disconnect")
    void disconnectSocketsOfARoom() {
        threeClients();
        rooms();
        namespace.in("room2").disconnectSockets(true);
        assertThat(driver.await(clients.get(0), "disconnect").path("reason").asText()).isIn(LEFT);
        assertThat(driver.await(clients.get(2), "disconnect").path("reason").asText()).isIn(LEFT);
        // the second client, in room1 only, stays: it answers an event after the others have gone
        sockets.get(1).emit("outcome", "still here");
        assertThat(outcome(clients.get(1))).isEqualTo("[\"still here\"]");
        assertThat(driver.events(clients.get(1), "disconnect")).isEmpty();
    }
}
