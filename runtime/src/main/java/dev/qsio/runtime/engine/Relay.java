package dev.qsio.runtime.engine;

import java.util.List;

/**
 * Where a session's packets go when another server holds its client's connection: a poll parked there, or a
 * WebSocket that server relays. The engine writes through it as through its own connections; the cross-server engine
 * carries the packets.
 */
public interface Relay {

    /** The server that holds the connection. */
    String holder();

    /** Writes packets to the client; with {@code close}, the connection ends after them. */
    void drain(List<EnginePacket> packets, boolean close);
}
