package dev.qsio.it.conformance;

import dev.qsio.EngineIoEndpoint;
import dev.qsio.EngineIoHandler;
import dev.qsio.EngineIoSocket;
import io.vertx.core.buffer.Buffer;

/** The Engine.IO test-suite's reference behaviour: every message goes back to its sender. */
@EngineIoEndpoint("/engine.io/")
public class EngineEcho implements EngineIoHandler {

    @Override
    public void onMessage(EngineIoSocket socket, String text) {
        socket.send(text);
    }

    @Override
    public void onBinary(EngineIoSocket socket, Buffer data) {
        socket.send(data);
    }
}
