package dev.qsio.it.conformance;

import dev.qsio.Ack;
import dev.qsio.EventArgs;
import dev.qsio.OnConnect;
import dev.qsio.OnEvent;
import dev.qsio.RateLimit;
import dev.qsio.SocketIo;
import dev.qsio.SocketIoSocket;

/** The test suite's main namespace. */
@SocketIo("/")
public class MainNamespace {

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

    /** An event with its own limit, declared on the handler (AnnotatedRateLimitClientTest): twice per connection. */
    @OnEvent(value = "twice", rateLimit = @RateLimit(perSecond = 0.001, burst = 2))
    String twice(String text) {
        return text;
    }
}
