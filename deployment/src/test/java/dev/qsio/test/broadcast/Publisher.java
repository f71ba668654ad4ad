package dev.qsio.test.broadcast;

import dev.qsio.OnEvent;
import dev.qsio.SocketIo;
import dev.qsio.SocketIoSocket;
import io.smallrye.common.annotation.NonBlocking;

/** Each {@code pub} is broadcast to every other socket as {@code msg}: the fan-out of the benchmarks (on the event loop). */
@SocketIo("/")
@NonBlocking
public class Publisher {

    @OnEvent("pub")
    void pub(SocketIoSocket socket, int n) {
        socket.broadcast().emit("msg", n);
    }
}
