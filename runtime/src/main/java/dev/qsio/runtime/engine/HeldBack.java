package dev.qsio.runtime.engine;

import java.util.ArrayDeque;

/**
 * The {@code drop-oldest} policy ({@link Drops}) on one WebSocket: the packets held back from the channel, in order,
 * while the connection is over its high-water mark and a packet its client may miss ({@link EnginePacket#droppable})
 * came. From then on everything waits here, so that order is kept, and the oldest droppable ones go past
 * {@code slow-consumer.lag-bytes}; all of it is written when the connection can take writes again. Used on the
 * connection's loop only, but for the byte counts, which readers off the loop read.
 */
final class HeldBack {

    private final EngineSession<?> session;
    /** Null when nothing is held. */
    private ArrayDeque<EnginePacket> packets;
    private Drops drops;
    private long droppable;
    /** What is held, in all and droppable, for readers off the loop. */
    private volatile long bytes;
    private volatile long droppableBytes;

    HeldBack(EngineSession<?> session) {
        this.session = session;
    }

    /** Whether packets are held: every write waits behind them. */
    boolean any() {
        return packets != null;
    }

    /** The bytes held (read off the loop). */
    long bytes() {
        return bytes;
    }

    /** The part of {@link #bytes()} its client may miss (read off the loop). */
    long droppableBytes() {
        return droppableBytes;
    }

    /** What was dropped so far, until the layer above is told; null before the first drop. */
    Drops drops() {
        return drops;
    }

    /** Holds a packet back, dropping the oldest droppable ones past the session's bound. */
    void hold(EnginePacket packet) {
        if (packets == null) {
            packets = new ArrayDeque<>();
        }
        packets.add(packet);
        long held = bytes + packet.size();
        if (packet.dropGroup() != null) {
            droppable += packet.size();
            long keep = session.out.dropBytes();
            if (droppable > keep) {
                if (drops == null) {
                    drops = new Drops();
                }
                long removed = drops.dropOldest(packets, droppable, keep);
                droppable -= removed;
                held -= removed;
                session.server.stats().add(EngineFigure.PACKETS_DROPPED, drops.lastCount());
            }
        }
        bytes = held;
        droppableBytes = droppable;
    }

    /** Takes what is held, to be written; null when nothing is. */
    ArrayDeque<EnginePacket> take() {
        ArrayDeque<EnginePacket> h = packets;
        if (h != null) {
            packets = null;
            droppable = 0;
            bytes = 0;
            droppableBytes = 0;
        }
        return h;
    }

    /** Lets go of what is held, and of what was dropped: the session ends. */
    void forget() {
        packets = null;
        droppable = 0;
        bytes = 0;
        droppableBytes = 0;
        if (drops != null) {
            drops.clear();
        }
    }
}
