package dev.qsio.runtime.engine;

import java.util.List;
import java.util.function.Consumer;

import dev.qsio.HandshakeRequest;

/**
 * A client's WebTransport stream that upgrades a session this server does not have: in a cluster, its QUIC connection
 * reached another server than the session's owner (a connection cannot be handed over as a TCP one is). The
 * cross-server engine ({@link OtherServers#serve(String, UpgradeStream)}) probes it here, then either this server
 * takes the session over ({@link EngineServer#adopt(String, HandshakeRequest, UpgradeStream, List)}) or relays the
 * stream to the owner, as it does for a WebSocket upgrade. What the client sends before each step is kept for the
 * next, in order. Every method may be called from any thread.
 */
public abstract class UpgradeStream {

    UpgradeStream() {
    }

    /** Who the CONNECT request of the stream's WebTransport session says the client is. */
    public abstract HandshakeRequest handshake();

    /**
     * Answers the client's probe; then {@code upgraded} runs once its UPGRADE packet comes, or {@code failed} once
     * anything else comes, the stream ends or {@code upgrade-timeout} passes (the stream is then closed). One of them
     * runs, once, on the stream's loop.
     */
    public abstract void probe(Runnable upgraded, Runnable failed);

    /**
     * Relays the stream to the session's owner: from here on the client's packets go to {@code packets}, in order
     * (those it sent after its UPGRADE first), and {@code closed} gets why once the stream ends, whichever side ends it
     * (at once if it has already): {@code transport close}, or {@code parse error} for a frame that does not parse.
     * On the stream's loop.
     */
    public abstract void relay(Consumer<EnginePacket> packets, Consumer<String> closed);

    /** Writes packets to the client, in the order of the calls. */
    public abstract void write(List<EnginePacket> packets);

    /** How many bytes are queued for the client and not yet sent. */
    public abstract long backlog();

    /** Ends the stream's WebTransport session once what was written is sent. */
    public abstract void close();

    /**
     * Makes the stream the transport of {@code session}, taken over here: the session starts with the owner's held
     * {@code clientPackets}, then what the client sent since its UPGRADE. {@code lost} runs instead when the stream
     * ended meanwhile.
     */
    abstract void adopt(EngineSession<?> session, List<EnginePacket> clientPackets, Runnable lost);
}
