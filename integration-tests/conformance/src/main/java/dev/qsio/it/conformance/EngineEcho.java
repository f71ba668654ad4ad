package dev.qsio.it.conformance;

import dev.qsio.EngineIoEndpoint;
import dev.qsio.EngineIoHandler;
import dev.qsio.EngineIoSocket;
import io.vertx.core.buffer.Buffer;

/** The Engine.IO test-suite's reference behaviour: every message goes back to its sender. */
@EngineIoEndpoint("/engine.io/")
public class EngineEcho implements EngineIoHandler {

    /** Why each session ended, by sid: not part of the protocol, read by the tests. */
    final java.util.Map<String, String> closed = new java.util.concurrent.ConcurrentHashMap<>();

    @Override
    public void onClose(EngineIoSocket socket, String reason) {
        closed.put(socket.id(), reason);
    }

    @Override
    public void onMessage(EngineIoSocket socket, String text) {
        socket.send(text);
    }

    @Override
    public void onBinary(EngineIoSocket socket, Buffer data) {
        socket.send(data);
    }
}
