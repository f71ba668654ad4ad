package dev.qsio.runtime.engine;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

import dev.qsio.EngineListener;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.FastThreadLocal;
import io.vertx.core.buffer.Buffer;

/**
 * One packet written to many sessions (a broadcast). The packet is encoded once as a whole WebSocket frame, in one
 * direct buffer that every WebSocket recipient's connection reads from through a view of its own; each event loop
 * gets one task for its own connections, which writes without a promise per recipient; the loop flushes each
 * connection once for all the broadcasts it wrote in a row. A recipient is its session's {@link BroadcastTarget},
 * which keeps what the broadcasts need of it (where to write, its loop, whether a flush is pending). Sessions that
 * cannot take it that way (polling, an upgrade in progress) get it through their own
 * {@link EngineSession#send(EnginePacket)}, as for a single recipient.
 * <p>
 * The shared bytes are not reference counted: a count shared by every recipient would be updated from every event
 * loop, twice per recipient, and that contention cost more than the writes. They live in a JDK direct buffer that the
 * garbage collector frees once no connection's queue holds a view of it, so a slow recipient keeps the bytes alive
 * for as long as it needs them, and each view has its own read position, so no recipient sees another's progress.
 * <p>
 * Used by one thread: add the recipients, then {@link #finish()}.
 */
public final class Fanout {

    private final EnginePacket packet;
    private final boolean dropIfBusy;
    private final int expected;
    /** The WebSocket recipients, grouped by the event loop of their connection (few loops: a list is enough). */
    private final List<Group> groups = new ArrayList<>(4);
    private int recipients;
    /** Whether permessage-deflate is on for this server: read once, at the first recipient. */
    private int deflate = UNKNOWN;
    private static final int UNKNOWN = -1;

    /** The recipients on one event loop. */
    private static final class Group {
        final EventLoop loop;
        BroadcastTarget[] targets;
        int size;

        Group(EventLoop loop, int capacity) {
            this.loop = loop;
            this.targets = new BroadcastTarget[capacity];
        }

        void add(BroadcastTarget target) {
            if (size == targets.length) {
                targets = Arrays.copyOf(targets, size * 2);
            }
            targets[size++] = target;
        }
    }

    /**
     * {@code dropIfBusy}: a volatile packet, dropped for a recipient whose connection cannot take it at once;
     * {@code expected}: about how many recipients there will be (it sizes the groups).
     */
    public Fanout(EnginePacket packet, boolean dropIfBusy, int expected) {
        this.packet = packet;
        this.dropIfBusy = dropIfBusy;
        this.expected = Math.max(8, expected);
    }

    /** Adds a recipient. */
    public void add(EngineSession<?> session) {
        BroadcastTarget target = session.broadcastTarget();
        if (deflate == UNKNOWN) {
            deflate = session.server.options().compression().perMessageDeflate() ? 1 : 0;
        }
        // a client that compresses takes the broadcast through its own compressor, as a single send does; a binary
        // message to a client of protocol 3 has a frame of its own
        if (target == null || (deflate == 1 && session.compresses(packet)) || (packet.isBinary() && session.eio3)) {
            if (!dropIfBusy || !session.congested()) {
                session.send(packet);
            }
            return;
        }
        EngineListener[] listeners = session.listeners();
        if (listeners != null) {
            session.tell(listeners, false, packet);
        }
        recipients++;
        EventLoop loop = target.loop();
        for (int i = 0; i < groups.size(); i++) {
            Group g = groups.get(i);
            if (g.loop == loop) {
                g.add(target);
                return;
            }
        }
        Group g = new Group(loop, groups.isEmpty() ? expected : Math.max(8, expected / 2));
        g.add(target);
        groups.add(g);
    }

    /** Writes to the WebSocket recipients added, each event loop its own. */
    public void finish() {
        if (groups.isEmpty()) {
            return;
        }
        EngineSession<?> any = groups.get(0).targets[0].session();
        long max = any.server.options().maxBufferedBytes();
        ByteBuf frame = Unpooled.unreleasableBuffer(encode(packet, packet.frame()));
        any.server.stats().bytesOut((long) recipients * frame.readableBytes());
        for (Group g : groups) {
            if (g.loop.inEventLoop()) {
                write(g, frame, max);
            } else {
                g.loop.execute(() -> write(g, frame, max));
            }
        }
    }

    private void write(Group g, ByteBuf frame, long max) {
        Flusher flusher = FLUSHERS.get();
        int size = frame.readableBytes();
        for (int i = 0; i < g.size; i++) {
            BroadcastTarget target = g.targets[i];
            ChannelHandlerContext writer = target.writer();
            Channel channel = writer.channel();
            if (!channel.isActive() || !target.session().openForDirectWrites()) {
                continue;
            }
            if (!channel.isWritable()) {
                if (dropIfBusy) {
                    continue;
                }
                if (EngineSession.pastBound(WebSocketTransport.backlog(channel), size, max)) {
                    target.session().overflow();
                    continue;
                }
            }
            if (target.writesQueued()) {
                // what was sent to this session from another thread before this broadcast goes first
                target.writeWaiting();
            }
            // from the frame encoder toward the socket: the frame is already encoded, and the handlers behind the
            // encoder (an idle-state handler that would make a promise per write) have nothing to do with it
            writer.write(frame.duplicate(), channel.voidPromise());
            flusher.add(target);
        }
        flusher.schedule(g.loop);
    }

    /**
     * The connections of one event loop written to and not yet flushed. The flush runs as a task queued behind the
     * loop's pending tasks, so that broadcasts queued together reach each connection in one flush (one system call
     * for several messages) rather than one each. Used on its loop only.
     */
    private static final class Flusher implements Runnable {
        /** Connections flushed by this loop's broadcasts so far; written by the loop only. */
        final AtomicLong flushes = new AtomicLong();
        private final List<BroadcastTarget> targets = new ArrayList<>(1024);
        private boolean scheduled;

        void add(BroadcastTarget target) {
            if (target.owesFlush()) {
                targets.add(target);
            }
        }

        void schedule(EventLoop loop) {
            if (!scheduled && !targets.isEmpty()) {
                scheduled = true;
                loop.execute(this);
            }
        }

        @Override
        public void run() {
            scheduled = false;
            for (int i = 0; i < targets.size(); i++) {
                targets.get(i).flush();
            }
            // a count per loop, written by that loop only: nothing shared between loops on the broadcast path
            flushes.lazySet(flushes.get() + targets.size());
            targets.clear();
        }
    }

    /** Every loop's flusher, for {@link #flushes()}. */
    private static final Queue<Flusher> ALL_FLUSHERS = new ConcurrentLinkedQueue<>();

    private static final FastThreadLocal<Flusher> FLUSHERS = new FastThreadLocal<>() {
        @Override
        protected Flusher initialValue() {
            Flusher f = new Flusher();
            ALL_FLUSHERS.add(f);
            return f;
        }
    };

    /**
     * How many times a broadcast flushed a connection, over the process's life, all event loops together. The
     * broadcasts one loop writes in a row reach each connection in one flush, so this stays well under the deliveries;
     * as many flushes as deliveries would say each broadcast is flushed on its own (a system call per message per
     * connection). Read by the build's cost test; not a figure of the metrics.
     */
    public static long flushes() {
        long sum = 0;
        for (Flusher f : ALL_FLUSHERS) {
            sum += f.flushes.get();
        }
        return sum;
    }

    /**
     * The whole WebSocket frame of a packet whose frame body is {@code body}, as a server sends it (final, unmasked):
     * text frames for text packets, binary frames for binary messages.
     */
    static ByteBuf encode(EnginePacket packet, Buffer body) {
        int length = body.length();
        int header = length < 126 ? 2 : length <= 0xffff ? 4 : 10;
        // a JDK direct buffer: freed by the garbage collector, not by a release (see the class comment)
        ByteBuf frame = Unpooled.wrappedBuffer(ByteBuffer.allocateDirect(header + length)).clear();
        frame.writeByte(0x80 | (packet.isBinary() ? 0x2 : 0x1));
        if (length < 126) {
            frame.writeByte(length);
        } else if (length <= 0xffff) {
            frame.writeByte(126);
            frame.writeShort(length);
        } else {
            frame.writeByte(127);
            frame.writeLong(length);
        }
        frame.writeBytes(body.getByteBuf(), 0, length);
        return frame;
    }
}
