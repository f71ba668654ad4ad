package dev.qsio.it.conformance;

import dev.qsio.Ack;
import dev.qsio.EventArgs;
import dev.qsio.SocketIoSocket;

/** What the Socket.IO test-suite's reference server does in each of its namespaces. */
final class TestSuiteBehaviour {

    private TestSuiteBehaviour() {
    }

    static void connected(SocketIoSocket socket) {
        socket.emit("auth", socket.handshake().auth());
    }

    static void message(SocketIoSocket socket, EventArgs args) {
        socket.emit("message-back", args.toArray());
    }

    static void messageWithAck(EventArgs args, Ack ack) {
        ack.send(args.toArray());
    }
}
