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
 * direct buffer that every WebSocket recipient's connection reads from through a view of its own. A recipient whose
 * connection lives on the calling thread's event loop is written as it is added; the others are grouped by their
 * loop, and each loop gets one task for its own, which writes without a promise per recipient. Each loop flushes a
 * connection once for all the broadcasts it wrote in a row. A recipient is its session's {@link BroadcastTarget}, which
 * keeps what the broadcasts need of it (where to write, its loop, whether a flush is pending). Sessions that cannot take
 * it that way (polling, an upgrade in progress) get it through their own {@link EngineSession#send(EnginePacket)}, as
 * for a single recipient.
 * <p>
 * A broadcast may be split by the loops its recipients live on ({@link #runAt}): each part is a fan-out of its own on
 * its loop, all reading the frame encoded once ({@link Shared}), so that the loops share the work of a large room and
 * each recipient is visited once, on its own loop.
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
    /** The encoded frame: given by a {@link Shared}, or encoded here at the first WebSocket recipient. */
    private ByteBuf frame;
    /** The WebSocket recipients on other loops than the caller's, grouped by loop (few loops: a list is enough). */
    private final List<Group> groups = new ArrayList<>(2);
    private int recipients;
    private int elsewhere;
    /** Whether permessage-deflate is on for this server: read once, at the first recipient. */
    private int deflate = UNKNOWN;
    private static final int UNKNOWN = -1;
    /** What the recipients written at once need: the calling loop's flusher and the bound, set at the first. */
    private Flusher here;
    private EventLoop hereLoop;
    private long max;
    private EngineServer<?> server;

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

    /** A packet encoded once for the fan-outs of several loops (see {@link #runAt}). */
    public static final class Shared {
        private final EnginePacket packet;
        private final ByteBuf frame;

        private Shared(EnginePacket packet) {
            this.packet = packet;
            this.frame = Unpooled.unreleasableBuffer(encode(packet, packet.frame()));
        }
    }

    /** The packet encoded once, for the fan-outs of one broadcast on several loops. */
    public static Shared share(EnginePacket packet) {
        return new Shared(packet);
    }

    /**
     * Runs a part of a broadcast on the loop that {@code home} names ({@link EngineSession#home()}): at once when that
     * is the calling thread's or when there is none, otherwise as a task of that loop (behind what was queued there
     * before it, in order).
     */
    public static void runAt(Object home, Runnable part) {
        if (home instanceof EventLoop loop && !loop.inEventLoop()) {
            loop.execute(part);
        } else {
            part.run();
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

    /** A fan-out of a packet already encoded for others too. */
    public Fanout(Shared shared, boolean dropIfBusy, int expected) {
        this(shared.packet, dropIfBusy, expected);
        this.frame = shared.frame;
    }

    /** Adds a recipient. */
    public void add(EngineSession<?> session) {
        BroadcastTarget target = session.broadcastTarget();
        if (deflate == UNKNOWN) {
            server = session.server;
            deflate = server.options().compression().perMessageDeflate() ? 1 : 0;
        }
        // a client that compresses takes the broadcast through its own compressor, as a single send does; a binary
        // message to a client of protocol 3 has a frame of its own
        if (target == null || (deflate == 1 && compresses(session, packet)) || (packet.isBinary() && session.eio3)) {
            if (!dropIfBusy || session.takesVolatile()) {
                session.send(packet);
            }
            return;
        }
        EngineListener[] listeners = session.listeners();
        if (listeners != null) {
            EngineListeners.packet(listeners, false, packet, session.id());
        }
        recipients++;
        EventLoop loop = target.loop();
        if (loop.inEventLoop()) {
            if (here == null) {
                here = FLUSHERS.get();
                hereLoop = loop;
                max = server.options().maxBufferedBytes();
            }
            write(target, frame(), max, here);
            return;
        }
        elsewhere++;
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

    /**
     * How many WebSocket recipients live on another loop than the caller's: written by a task of their loop, a hop
     * that a broadcast split by loops ({@link #runAt}) means to avoid.
     */
    public int elsewhere() {
        return elsewhere;
    }

    private ByteBuf frame() {
        if (frame == null) {
            frame = Unpooled.unreleasableBuffer(encode(packet, packet.frame()));
        }
        return frame;
    }

    /** Writes to the WebSocket recipients of other loops, each loop its own, and has this loop flush its own. */
    public void finish() {
        if (recipients == 0) {
            return;
        }
        ByteBuf frame = frame();
        server.stats().bytesOut((long) recipients * frame.readableBytes());
        if (here != null) {
            here.schedule(hereLoop);
        }
        if (groups.isEmpty()) {
            return;
        }
        long max = server.options().maxBufferedBytes();
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
        for (int i = 0; i < g.size; i++) {
            write(g.targets[i], frame, max, flusher);
        }
        flusher.schedule(g.loop);
    }

    /** Writes the frame to one connection of the calling loop; its flush is owed to {@code flusher}. */
    private void write(BroadcastTarget target, ByteBuf frame, long max, Flusher flusher) {
        ChannelHandlerContext writer = target.writer();
        Channel channel = writer.channel();
        if (!channel.isActive() || !target.session().isOpen()) {
            return;
        }
        if (!channel.isWritable()) {
            if (dropIfBusy) {
                target.session().server.stats().increment(EngineFigure.VOLATILE_DROPPED);
                return;
            }
            // one its client may miss is held back, within its own bound (Drops)
            if (packet.dropGroup() == null && EngineOptions.pastBound(WebSocketChannels.backlog(channel) + target.pendingBytes(),
                    frame.readableBytes(), max)) {
                target.session().out.overflow();
                return;
            }
        }
        if (target.writesQueued()) {
            // what was sent to this session from another thread before this broadcast goes first
            target.writeWaiting();
        }
        // handed to the channel from the frame encoder toward the socket, with the other broadcasts of this turn: the
        // frame is already encoded, and the handlers behind the encoder (an idle-state handler that would make a
        // promise per write) have nothing to do with it
        target.queue(frame, packet);
        flusher.add(target);
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

    /**
     * Whether a broadcast's packet is compressed for {@code session}: permessage-deflate agreed on and the packet large
     * enough. It then takes the session's own write, compressed for it alone. Read without the session's monitor.
     */
    private static boolean compresses(EngineSession<?> session, EnginePacket packet) {
        Transport t = session.current;
        return t != null && t.deflating()
                && session.server.options().compression().deflates(packet, packet.frame().length());
    }
}
