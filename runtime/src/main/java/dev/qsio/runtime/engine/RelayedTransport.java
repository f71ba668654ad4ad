package dev.qsio.runtime.engine;

import java.util.List;

/**
 * The transport of a session whose connection another server accepted and relays (a WebSocket upgrade that landed
 * there after the application had the session): the owner writes through its {@link Relay}, the other server writes
 * the frames to the client.
 */
final class RelayedTransport extends Transport {

    private final TransportKind kind;
    private final Relay relay;
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
        return !closed;
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
            relay.drain(List.of(), true);
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
