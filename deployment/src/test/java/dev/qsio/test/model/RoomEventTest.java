package dev.qsio.test.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.qsio.OnEvent;
import dev.qsio.RoomEvent;
import dev.qsio.RoomEvent.Kind;
import dev.qsio.SocketIo;
import dev.qsio.SocketIoSocket;
import dev.qsio.testkit.ClientSocket;
import dev.qsio.testkit.SocketIoConnector;
import io.quarkus.test.QuarkusUnitTest;

/**
 * Node's adapter events ({@code create-room}, {@code join-room}, {@code leave-room}, {@code delete-room}) as CDI
 * events: a socket's own room and the rooms it joins, in order, with the namespace; an observer that throws changes
 * nothing for the socket.
 */
class RoomEventTest {

    @RegisterExtension
    static final QuarkusUnitTest test = new QuarkusUnitTest()
            .withApplicationRoot(root -> root.addClasses(Games.class, Observer.class));

    static final List<RoomEvent> SEEN = new CopyOnWriteArrayList<>();

    final SocketIoConnector games = SocketIoConnector.create().namespace("/games");

    @SocketIo("/games")
    public static class Games {
        @OnEvent("join")
        String join(SocketIoSocket socket, String room) {
            socket.join(room);
            return "joined";
        }

        @OnEvent("leave")
        String leave(SocketIoSocket socket, String room) {
            socket.leave(room);
            return "left";
        }
    }

    @Singleton
    public static class Observer {
        void seen(@Observes RoomEvent event) {
            SEEN.add(event);
            if ("boom".equals(event.room())) {
                throw new IllegalStateException("an observer that fails");
            }
        }
    }

    static List<RoomEvent> about(String room) {
        return SEEN.stream().filter(e -> e.room().equals(room)).toList();
    }

    @Test
    void roomsAreCreatedJoinedLeftAndDeleted() {
        try (ClientSocket a = games.connectAndAwait();
                ClientSocket b = games.connectAndAwait()) {
            String idA = a.id();
            String idB = b.id();
            // each socket's own room
            assertThat(about(idA)).containsExactly(new RoomEvent("/games", Kind.CREATED, idA, null),
                    new RoomEvent("/games", Kind.JOINED, idA, idA));
            assertThat(a.emitAndAwaitAck("join", "lobby").arg().asText()).isEqualTo("joined");
            assertThat(b.emitAndAwaitAck("join", "lobby").arg().asText()).isEqualTo("joined");
            // joining again changes nothing
            assertThat(a.emitAndAwaitAck("join", "lobby").arg().asText()).isEqualTo("joined");
            assertThat(a.emitAndAwaitAck("leave", "lobby").arg().asText()).isEqualTo("left");
            assertThat(a.emitAndAwaitAck("leave", "lobby").arg().asText()).isEqualTo("left");
            assertThat(b.emitAndAwaitAck("leave", "lobby").arg().asText()).isEqualTo("left");
            assertThat(about("lobby")).containsExactly(
                    new RoomEvent("/games", Kind.CREATED, "lobby", null),
                    new RoomEvent("/games", Kind.JOINED, "lobby", idA),
                    new RoomEvent("/games", Kind.JOINED, "lobby", idB),
                    new RoomEvent("/games", Kind.LEFT, "lobby", idA),
                    new RoomEvent("/games", Kind.LEFT, "lobby", idB),
                    new RoomEvent("/games", Kind.DELETED, "lobby", null));
            // a failing observer: the socket is in the room all the same
            assertThat(a.emitAndAwaitAck("join", "boom").arg().asText()).isEqualTo("joined");
            assertThat(about("boom")).hasSize(2);
            b.close();
            // a socket that disconnects leaves its rooms, its own included
            await().atMost(Duration.ofSeconds(10)).until(() -> about(idB).size() == 4);
            assertThat(about(idB).subList(2, 4)).containsExactly(new RoomEvent("/games", Kind.LEFT, idB, idB),
                    new RoomEvent("/games", Kind.DELETED, idB, null));
        }
    }
}
