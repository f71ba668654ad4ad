package dev.qsio.it.features;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import dev.qsio.OnEvent;
import dev.qsio.RoomEvent;
import dev.qsio.SocketIo;
import dev.qsio.SocketIoServer;

/**
 * Greets a socket of {@code /own-room} as soon as it joins its own room, from a {@link RoomEvent} observer: the emit
 * happens inside the join, before the socket's CONNECT is answered. On a recovered socket that is the moment the
 * replay of what it missed is being prepared, so the greeting must reach it once, not once live and once from the log.
 */
@ApplicationScoped
public class OwnRoomGreeting {

    static final String NAMESPACE = "/own-room";

    @Inject
    SocketIoServer io;

    void joined(@Observes RoomEvent event) {
        if (NAMESPACE.equals(event.namespace()) && event.kind() == RoomEvent.Kind.JOINED
                && event.room().equals(event.socketId())) {
            io.of(NAMESPACE).to(event.socketId()).emit("in-own-room", event.socketId());
        }
    }

    /** The namespace's sockets can ask for an answer: one that arrives after everything sent to them before. */
    @SocketIo(NAMESPACE)
    public static class Namespace {

        @OnEvent("ping")
        String ping() {
            return "pong";
        }
    }
}
