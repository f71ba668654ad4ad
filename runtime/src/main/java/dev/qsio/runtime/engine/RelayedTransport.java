package dev.qsio.runtime.engine;

import java.util.List;

/**
 * The transport of a session whose connection another server accepted and relays (a WebSocket upgrade that landed
 * there after the application had the session): the owner writes through its {@link Relay}, the other server writes
 * the frames to the client. It carries nothing until that server has the owner's answer ({@link #ready}): its link
 * delivers in order, so what is written after the answer finds the relayed WebSocket there, and nothing written before
 * reaches a server that would not know where it goes.
 */
final class RelayedTransport extends Transport {

    private final TransportKind kind;
    private final Relay relay;
    /** The upgrading server has the owner's answer: packets may go. */
    private boolean ready;
    private boolean closed;

    RelayedTransport(EngineSession<?> session, TransportKind kind, Relay relay) {
        super(session);
        this.kind = kind;
        this.relay = relay;
    }

    @Override
    TransportKind kind() {
        return kind;
    }

    @Override
    boolean writable() {
        return ready && !closed;
    }

    /** The answer is on its way to the upgrading server: from here on, packets follow it (and a close made before). */
    void ready() {
        if (ready) {
            return;
        }
        ready = true;
        if (closed) {
            relay.drain(List.of(), true);
        }
    }

    @Override
    void send(List<EnginePacket> packets) {
        relay.drain(packets, false);
    }

    @Override
    void send(EnginePacket packet) {
        relay.drain(List.of(packet), false);
    }

    @Override
    void close() {
        if (!closed) {
            closed = true;
            if (ready) {
                relay.drain(List.of(), true);
            }
        }
    }

    @Override
    void discard() {
        close();
    }

    @Override
    boolean holderGone(String holder) {
        return relay.holder().equals(holder);
    }
}
