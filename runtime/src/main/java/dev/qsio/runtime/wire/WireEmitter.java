package dev.qsio.runtime.wire;

import dev.qsio.runtime.clusteradapter.AdapterMessage;
import io.vertx.core.Future;

/**
 * What an emitter ({@code dev.qsio.SocketIoEmitter}, in an application that serves no sockets) writes on a wire: each
 * operation is one cluster adapter message, which the wire encodes as Node's emitter or adapter for the same service
 * does, so that every server of the fleet (Node's too) applies it. An emitter is no member of the fleet: it is not
 * counted, and receives nothing.
 */
public interface WireEmitter {

    /** How Node's emitters sign their messages; servers do not count it as one of theirs. */
    AdapterMessage.Origin ORIGIN = new AdapterMessage.Origin("emitter", -1, "emitter");

    /** Encodes and sends one operation; dropped (and counted as the wire's drops) while the service is out of reach. */
    void emit(AdapterMessage message);

    /**
     * Connects: completes once connected, or fails with a {@code ConfigurationException} naming the key when waiting
     * cannot help, or with anything else while the service is not there yet (the emitter keeps trying).
     */
    Future<Void> start();

    /** Closes what the emitter opened (an application's pool stays the application's). */
    void close();

    /** Where the service is, for people (an address without credentials). */
    String address();
}
