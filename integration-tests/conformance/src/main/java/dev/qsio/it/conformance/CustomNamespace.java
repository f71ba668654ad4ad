package dev.qsio.it.conformance;

import dev.qsio.Ack;
import dev.qsio.EventArgs;
import dev.qsio.OnConnect;
import dev.qsio.OnEvent;
import dev.qsio.SocketIo;
import dev.qsio.SocketIoSocket;

/** The test suite's "/custom" namespace, behaving as the main one. */
@SocketIo("/custom")
public class CustomNamespace {

    @OnConnect
    void connected(SocketIoSocket socket) {
        TestSuiteBehaviour.connected(socket);
    }

    @OnEvent("message")
    void message(SocketIoSocket socket, EventArgs args) {
        TestSuiteBehaviour.message(socket, args);
    }

    @OnEvent("message-with-ack")
    void messageWithAck(EventArgs args, Ack ack) {
        TestSuiteBehaviour.messageWithAck(args, ack);
    }
}
