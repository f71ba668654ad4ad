package dev.qsio.test.devmode;

import dev.qsio.OnConnect;
import dev.qsio.SocketIo;
import dev.qsio.SocketIoSocket;

@SocketIo("/room-a")
public class RoomGreeter {

    @OnConnect
    void connected(SocketIoSocket socket) {
        socket.emit("welcome", socket.namespace());
    }
}
