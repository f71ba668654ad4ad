package dev.qsio.runtime.engine;

import java.util.List;

/**
 * The transport of a session whose WebSocket was accepted by another server: the owner writes through it, and the
 * other server writes the frames to the client. Owner side only.
 */
final class RemoteTransport extends Transport {

    final String member;
    private final RemoteSessions remote;
    private boolean closed;

    RemoteTransport(EngineSession<?> session, String member, RemoteSessions remote) {
        super(session);
        this.member = member;
        this.remote = remote;
    }

    @Override
    String name() {
        return "websocket";
    }

    @Override
    boolean writable() {
        return !closed;
    }

    @Override
    void send(List<EnginePacket> packets) {
        remote.drain(member, session.id(), packets, false);
    }

    @Override
    void send(EnginePacket packet) {
        remote.drain(member, session.id(), List.of(packet), false);
    }

    @Override
    void close() {
        if (!closed) {
            closed = true;
            remote.drain(member, session.id(), List.of(), true);
        }
    }

    @Override
    void discard() {
        close();
    }
}
