package dev.qsio.bench.app;

import jakarta.inject.Inject;

import dev.qsio.OnEvent;
import dev.qsio.SocketIo;
import dev.qsio.SocketIoServer;
import dev.qsio.SocketIoSocket;
import io.smallrye.common.annotation.NonBlocking;

/**
 * The bench application, the same on every target: {@code join} enters room "r", {@code pub} broadcasts its
 * argument to the room as {@code msg}, {@code all} to every socket as {@code msg}, {@code echo} acknowledges with its
 * argument, {@code whoami} with the pid of the process serving the socket (how the load generator tells the workers
 * of a cluster apart).
 * <p>
 * Every handler is non-blocking, so it runs on the event loop that read the packet, as a Node handler would. The
 * annotation is on the class: on the methods, Quarkus' execution-model check rejects it, since the extension does not
 * declare its handlers as entry points to that check.
 */
@SocketIo("/")
@NonBlocking
public class Bench {

    private static final long PID = ProcessHandle.current().pid();

    @Inject
    SocketIoServer io;

    @OnEvent("join")
    void join(SocketIoSocket socket) {
        socket.join("r");
    }

    @OnEvent("pub")
    void pub(String payload) {
        io.to("r").emit("msg", payload);
    }

    @OnEvent("all")
    void all(String payload) {
        io.emit("msg", payload);
    }

    @OnEvent("echo")
    String echo(String value) {
        return value;
    }

    @OnEvent("whoami")
    long whoami() {
        return PID;
    }
}
