package dev.qsio.runtime.engine;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;

/**
 * A connection that broadcasts write to directly ({@link Fanout}), keeping what they need of it: where to write its
 * encoded frames, its event loop, and whether that loop owes it a flush. A transport that can take broadcasts this way
 * is one ({@link Transport#broadcastTarget()}: the WebSocket, where its channel can be seen), so that a connection
 * costs no object more; its session hands it to broadcasts while it is open ({@link EngineSession#broadcastTarget()}).
 */
interface BroadcastTarget {

    EngineSession<?> session();

    /** The context of the connection's WebSocket frame encoder: a frame written here goes toward the socket. */
    ChannelHandlerContext writer();

    /** The connection's event loop, so that a broadcast groups its targets without reading their channels. */
    EventLoop loop();

    /**
     * Marks a flush as owed by the loop after a broadcast wrote here; false when one already was (the loop flushes
     * the connection once for all the broadcasts written in a row). On the loop only.
     */
    boolean owesFlush();

    /**
     * Takes a broadcast's encoded frame (shared by every recipient, never changed), to be handed to the channel, in
     * order, before anything else is written to the connection and at the latest at the loop's {@link #flush()}. On
     * the loop only. {@code packet} is the frame's packet: one its client may miss ({@link EnginePacket#droppable}) may
     * be held back instead while the connection is over its high-water mark.
     */
    void queue(ByteBuf frame, EnginePacket packet);

    /** The bytes of the frames taken and not yet handed to the channel. */
    long pendingBytes();

    /** The loop hands what was queued to the channel and flushes the connection now. On the loop only. */
    void flush();

    /**
     * Whether packets sent to the session from off the loop wait there to be written in order; a broadcast writing on
     * the loop then calls {@link #writeWaiting()} first. Read without the session's lock.
     */
    boolean writesQueued();

    /** Writes what waits (see {@link #writesQueued()}), so that a broadcast does not overtake it. On the loop. */
    void writeWaiting();
}
