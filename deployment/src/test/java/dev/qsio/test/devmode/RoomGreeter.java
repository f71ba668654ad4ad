package dev.qsio.test.devmode;

import dev.qsio.OnConnect;
import dev.qsio.SocketIO;
import dev.qsio.SocketIoSocket;

@SocketIO("/room-a")
public class RoomGreeter {

    @OnConnect
    void connected(SocketIoSocket socket) {
        socket.emit("welcome", socket.namespace());
    }
}
