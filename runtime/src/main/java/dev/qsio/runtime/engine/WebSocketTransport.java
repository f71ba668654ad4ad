package dev.qsio.runtime.engine;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

import org.jboss.logging.Logger;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameEncoder;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtensionEncoder;
import dev.qsio.HandshakeRequest;
import dev.qsio.runtime.devmode.SocketIoHotReplacement;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;

/**
 * WebSocket: one packet per frame, text packets in text frames and binary messages in binary frames.
 */
public final class WebSocketTransport extends Transport implements BroadcastTarget {

    /** WebSocket: one connection, opened by an HTTP upgrade; the end of every upgrade. */
    static final TransportKind KIND = new TransportKind("websocket", false, 1) {
        @Override
        boolean isUpgrade(HttpServerRequest request) {
            String upgrade = request.getHeader(HttpHeaders.UPGRADE);
            return upgrade != null && "websocket".equals(upgrade.toLowerCase(Locale.ROOT));
        }

        @Override
        <C> void open(EngineServer<C> server, HttpServerRequest request, HandshakeRequest handshake, boolean eio3,
                AddressLimits.Entry address) {
            server.options().compression().accept(request).onComplete(ar -> {
                if (ar.failed()) {
                    LOG.debugf("WebSocket handshake failed: %s", ar.cause().getMessage());
                    return;
                }
                EngineSession<C> session = server.newSession(handshake, eio3, address);
                WebSocketTransport transport = new WebSocketTransport(session, ar.result());
                transport.connect(true);
                server.stats().increment(EngineFigure.HANDSHAKES_ACCEPTED);
                session.start(transport, 0);
            });
        }

        @Override
        <C> void upgrade(EngineServer<C> server, EngineSession<C> session, HttpServerRequest request) {
            server.options().compression().accept(request).onComplete(ar -> {
                if (ar.failed()) {
                    LOG.debugf("WebSocket upgrade of session %s failed: %s", session.id(), ar.cause().getMessage());
                    return;
                }
                ServerWebSocket ws = ar.result();
                WebSocketTransport t = new WebSocketTransport(session, ws);
                if (!session.beginUpgrade(t)) {
                    // the session upgrades or has upgraded on another WebSocket (or has closed): as the reference
                    // server does, this one is accepted and closed, and the session goes on undisturbed
                    LOG.debugf("second WebSocket for session %s closed", session.id());
                    ws.close();
                    return;
                }
                t.connect(true);
            });
        }
    };

    /**
     * A session taken over from another server: its client upgraded to {@code ws} here (see {@link EngineServer#adopt}).
     * False when the client closed it meanwhile.
     */
    static boolean adopt(EngineSession<?> session, ServerWebSocket ws, List<EnginePacket> clientPackets) {
        WebSocketTransport transport = new WebSocketTransport(session, ws);
        try {
            transport.connect(false);
        } catch (IllegalStateException closed) {
            // Vert.x refuses handlers on a closed WebSocket
            return false;
        }
        session.startAdopted(transport, clientPackets);
        ws.resume();
        return true;
    }

    /**
     * The HTTP server's WebSocket, until the connection is detached from it ({@link #detach}); then null, so that
     * it and what it holds are let go.
     */
    volatile ServerWebSocket ws;
    /** The connection served from its channel, once detached; null while the HTTP server's WebSocket serves it. */
    private volatile ChannelWebSocket raw;
    /** The connection, to read how much is queued for the client; null where Vert.x does not expose it. */
    private final Channel channel;
    private boolean closed;

    WebSocketTransport(EngineSession<?> session, ServerWebSocket ws) {
        super(session);
        this.ws = ws;
        this.channel = WebSocketChannels.channelOf(ws);
    }

    /**
     * Connects the WebSocket to its session: its messages become packets, its end the transport's. A WebSocket of this
     * server's own (not adopted from another) is served from its channel from then on where it can be
     * ({@link ChannelWebSocket}); an adopted one stays with the HTTP server's WebSocket, which holds its frames while it
     * is paused.
     */
    private void connect(boolean detachable) {
        EngineServer<?> server = session.server;
        WebSocketMessages messages = new WebSocketMessages(this::close, server.options().maxHttpBufferSize(), text -> {
            SocketIoHotReplacement.messageReceived();
            server.stats().bytesIn(text.length());
            EnginePacket packet;
            try {
                packet = EngineCodec.decode(text);
            } catch (MalformedPacketException e) {
                session.onError(e.getMessage());
                return;
            }
            session.onPacket(this, packet);
        }, data -> {
            server.stats().bytesIn(data.length());
            EnginePacket packet;
            try {
                packet = session.eio3 ? Eio3Codec.decodeFrame(data) : EnginePacket.message(data);
            } catch (MalformedPacketException e) {
                session.onError(e.getMessage());
                return;
            }
            session.onPacket(this, packet);
        }, code -> session.onTransportClosed(this, "transport error"));
        if (detachable && detach(messages, reason -> session.onTransportClosed(this, reason))) {
            return;
        }
        ServerWebSocket socket = ws;
        WebSocketMessages.read(socket, messages);
        socket.drainHandler(v -> writableAgain());
        socket.closeHandler(v -> session.onTransportClosed(this, "transport close"));
        socket.exceptionHandler(e -> {
            LOG.debugf("WebSocket of session %s failed: %s", session.id(), e.getMessage());
            session.onTransportClosed(this, "transport error");
        });
    }

    /**
     * Serves the connection from its channel from now on (see {@link ChannelWebSocket}), when it can be: its messages
     * go to {@code messages}, its end to {@code closed}. False when it stays with the HTTP server's WebSocket.
     */
    private boolean detach(WebSocketMessages messages, Consumer<String> closed) {
        ChannelWebSocket r = ChannelWebSocket.detach(ws, messages, closed, this::writableAgain);
        if (r == null) {
            return false;
        }
        // raw first: a reader that sees no WebSocket sees the channel's handler
        raw = r;
        ws = null;
        return true;
    }

    private static final Logger LOG = Logger.getLogger(WebSocketTransport.class);

    /**
     * The context of the connection's WebSocket frame encoder, from which an encoded frame is written toward the
     * socket; null where the connection or its encoder cannot be seen (broadcasts then use {@link #send}).
     */
    private ChannelHandlerContext frameWriter() {
        return channel == null ? null : channel.pipeline().context(WebSocketFrameEncoder.class);
    }

    // ---- as a broadcast's target (Fanout): the fields are set once this is the session's transport

    /** Where broadcasts write; null while this is not the session's transport, or without a channel. */
    private ChannelHandlerContext writer;
    private EventLoop loop;
    /** A broadcast wrote here and the loop has yet to flush; used on the loop only. */
    private boolean flushPending;
    /** Packets wait in the outbox (see {@link #send}); read by broadcasts without the session's lock. */
    private volatile boolean writesQueued;

    /**
     * Broadcasts write to this connection directly where its frame encoder can be seen. Called by the session, under its
     * lock, as this becomes its transport (its volatile write that publishes this to broadcasts comes after).
     */
    @Override
    BroadcastTarget broadcastTarget() {
        if (writer == null) {
            ChannelHandlerContext w = frameWriter();
            if (w == null) {
                return null;
            }
            loop = w.channel().eventLoop();
            writer = w;
        }
        return this;
    }

    @Override
    public EngineSession<?> session() {
        return session;
    }

    @Override
    public ChannelHandlerContext writer() {
        return writer;
    }

    @Override
    public EventLoop loop() {
        return loop;
    }

    @Override
    public boolean owesFlush() {
        if (flushPending) {
            return false;
        }
        flushPending = true;
        return true;
    }

    @Override
    public void flush() {
        flushPending = false;
        writePending();
        writer.flush();
    }

    /**
     * Broadcast frames written here and not yet handed to the channel, in order: the loop hands them over together at
     * its flush, copied into one buffer, so that a connection that gets several broadcasts in a turn costs the channel
     * one message (one queue entry, one walk of the pipeline, bytes off the heap while the client is slow) instead of
     * one each. Every other write to the connection goes after them ({@link #write(EnginePacket)}, {@link #close()}).
     * Used on the loop only.
     */
    private ByteBuf[] pending;
    private int pendingCount;
    private int pendingBytes;
    /** Frames from this size on are not copied together: they go to the channel as they are. */
    private static final int COALESCED_MAX = 16 * 1024;

    @Override
    public void queue(ByteBuf frame, EnginePacket packet) {
        HeldBack h = held;
        if ((h != null && h.any()) || (packet.dropGroup() != null && !channel.isWritable())) {
            holdBack(packet);
            return;
        }
        int size = frame.readableBytes();
        if (size >= COALESCED_MAX) {
            writePending();
            writer.write(frame.duplicate(), channel.voidPromise());
            return;
        }
        if (pending == null) {
            pending = new ByteBuf[4];
        } else if (pendingCount == pending.length) {
            pending = Arrays.copyOf(pending, pendingCount * 2);
        }
        pending[pendingCount++] = frame;
        pendingBytes += size;
    }

    @Override
    public long pendingBytes() {
        HeldBack h = held;
        return h == null ? pendingBytes : pendingBytes + h.bytes();
    }

    /** Hands the pending broadcast frames to the channel: one as a view of its shared bytes, several copied together. */
    private void writePending() {
        int n = pendingCount;
        if (n == 0) {
            return;
        }
        if (!channel.isActive()) {
            // closed meanwhile: nothing to hand over (a write would only fail)
            clearPending(n);
            return;
        }
        ByteBuf out;
        if (n == 1) {
            out = pending[0].duplicate();
        } else {
            out = writer.alloc().directBuffer(pendingBytes);
            for (int i = 0; i < n; i++) {
                ByteBuf f = pending[i];
                out.writeBytes(f, f.readerIndex(), f.readableBytes());
            }
        }
        clearPending(n);
        writer.write(out, channel.voidPromise());
    }

    private void clearPending(int n) {
        Arrays.fill(pending, 0, n, null);
        if (pending.length > 16) {
            // a burst's array is not kept for the life of the connection
            pending = null;
        }
        pendingCount = 0;
        pendingBytes = 0;
    }

    @Override
    public boolean writesQueued() {
        return writesQueued;
    }

    @Override
    public void writeWaiting() {
        synchronized (session) {
            writeQueued();
        }
    }

    @Override
    TransportKind kind() {
        return KIND;
    }

    @Override
    boolean closesWithPacket() {
        return false;
    }

    @Override
    boolean writable() {
        return !closed;
    }

    @Override
    void send(List<EnginePacket> packets) {
        for (EnginePacket packet : packets) {
            send(packet);
        }
    }

    /**
     * Packets sent from off the connection's event loop, written on the loop by one task, in order. A write from off
     * the loop is a task queued there, while a write on the loop (a broadcast that arrived there) goes at once: without
     * this queue, that broadcast overtook what had been sent before it. Every write on the loop first writes what
     * waits here. Used with the session's lock held.
     */
    private ArrayDeque<EnginePacket> outbox;
    private long outboxBytes;
    private boolean drainScheduled;

    @Override
    void send(EnginePacket packet) {
        if (channel == null || channel.eventLoop().inEventLoop()) {
            writeQueued();
            write(packet);
            return;
        }
        if (outbox == null) {
            outbox = new ArrayDeque<>(4);
        }
        outbox.add(packet);
        outboxBytes += packet.size();
        writesQueued = true;
        if (!drainScheduled) {
            drainScheduled = true;
            channel.eventLoop().execute(() -> {
                synchronized (session) {
                    drainScheduled = false;
                    writeQueued();
                }
            });
        }
    }

    /** Writes what was sent from off the loop and waits for it; on the loop, with the session's lock held. */
    @Override
    void writeQueued() {
        ArrayDeque<EnginePacket> queued = outbox;
        if (queued == null || queued.isEmpty()) {
            return;
        }
        outboxBytes = 0;
        writesQueued = false;
        for (EnginePacket p; (p = queued.poll()) != null;) {
            write(p);
        }
    }

    private void write(EnginePacket packet) {
        Buffer body = packet.frame(session.eio3);
        session.server.stats().bytesOut(body.length());
        HeldBack h = held;
        if ((h != null && h.any()) || (packet.dropGroup() != null && channel != null && !channel.isWritable())) {
            holdBack(packet);
            return;
        }
        // the broadcasts written here before go first
        writePending();
        writeFrame(packet, body);
    }

    /** Writes a packet's frame toward the client, through the compressor unless it is sent uncompressed. */
    private void writeFrame(EnginePacket packet, Buffer body) {
        if (!packet.compress() && deflating()) {
            // compress(false): the frame goes past the compressor, uncompressed (RSV1 clear); below the threshold the
            // compressor's own filter lets a frame through
            ChannelHandlerContext writer = frameWriter();
            if (writer != null) {
                writer.writeAndFlush(Fanout.encode(packet, body), writer.voidPromise());
                return;
            }
        }
        ChannelWebSocket r = raw;
        if (r != null) {
            ByteBuf bytes = body.getByteBuf();
            r.write(packet.isBinary() ? new BinaryWebSocketFrame(bytes) : new TextWebSocketFrame(bytes));
        } else {
            ws.writeFrame(WebSocketChannels.frame(packet, body));
        }
    }

    /** Set once permessage-deflate is seen in the connection's pipeline (read by broadcasts on other threads). */
    private volatile boolean deflating;

    /**
     * Whether this connection compresses what goes through the WebSocket (permessage-deflate agreed on). The
     * extension's encoder enters the pipeline once the handshake's response is written; until it is seen, nothing
     * is compressed.
     */
    @Override
    boolean deflating() {
        if (!deflating && channel != null && session.server.options().compression().perMessageDeflate()) {
            deflating = channel.pipeline().get(WebSocketExtensionEncoder.class) != null;
        }
        return deflating;
    }

    /** Whether the socket's outbound queue is over its high-water mark (a slow client). */
    @Override
    boolean congested() {
        ChannelWebSocket r = raw;
        return r != null ? r.congested() : ws.writeQueueFull();
    }

    /**
     * What Netty holds for this client: nothing while the channel is writable (under its high-water mark, tens of
     * kilobytes), otherwise every byte queued and not yet taken by the socket.
     */
    @Override
    long backlog() {
        HeldBack h = held;
        return outboxBytes + pendingBytes + (h == null ? 0 : h.bytes()) + WebSocketChannels.backlog(channel);
    }

    @Override
    long droppableBacklog() {
        HeldBack h = held;
        return h == null ? 0 : h.droppableBytes();
    }

    /**
     * What the drop-oldest policy holds back while the connection is over its high-water mark: made the first time a
     * packet is held (most connections never hold one), so that a broadcast's write reads no object beside the
     * transport; written on the loop, its byte counts read off it.
     */
    private volatile HeldBack held;

    private void holdBack(EnginePacket packet) {
        HeldBack h = held;
        if (h == null) {
            h = new HeldBack(session);
            held = h;
        }
        h.hold(packet);
    }

    /**
     * The connection went under its low-water mark: what was held back is written, after the broadcasts of this turn
     * (they came before it was held), the layer above learns what its client missed, and what waits for the client
     * to catch up is told. On the loop.
     */
    private void writableAgain() {
        HeldBack heldBack = held;
        ArrayDeque<EnginePacket> h = heldBack == null ? null : heldBack.take();
        if (h != null && channel.isActive() && !closed) {
            writePending();
            for (EnginePacket p; (p = h.poll()) != null;) {
                writeFrame(p, p.frame(session.eio3));
            }
            channel.flush();
            session.out.reportDrops(heldBack.drops());
        }
        session.out.caughtUp();
    }

    /** The session ends gracefully: what was held back goes before the close. On the loop. */
    private void writeHeld() {
        HeldBack heldBack = held;
        ArrayDeque<EnginePacket> h = heldBack == null ? null : heldBack.take();
        if (h != null) {
            heldBack.forget();
            for (EnginePacket p; (p = h.poll()) != null;) {
                writeFrame(p, p.frame(session.eio3));
            }
        }
    }

    @Override
    void abort() {
        if (channel == null) {
            close();
        } else if (!closed) {
            closed = true;
            if (outbox != null) {
                outbox.clear();
                outboxBytes = 0;
            }
            WebSocketChannels.abort(channel);
            channel.eventLoop().execute(() -> {
                HeldBack h = held;
                if (h != null) {
                    h.forget();
                }
            });
        }
    }

    @Override
    void close() {
        if (!closed) {
            closed = true;
            onLoop(() -> {
                ChannelWebSocket r = raw;
                if (r != null) {
                    r.close(NORMAL_CLOSURE, null);
                } else if (!ws.isClosed()) {
                    ws.close();
                }
            });
        }
    }

    private static final short NORMAL_CLOSURE = 1000;

    /** Closes the WebSocket with a code: a message the engine refused (too big, not UTF-8). */
    void close(short code, String reason) {
        onLoop(() -> {
            ChannelWebSocket r = raw;
            if (r != null) {
                r.close(code, reason);
            } else {
                ws.close(code, reason);
            }
        });
    }

    /**
     * Runs a close after what was sent before it, on the connection's loop: at once there, after writing what waits
     * (sent from elsewhere, and broadcasts not yet handed to the channel); from elsewhere as a task of the loop, behind
     * the tasks that write what was sent before.
     */
    private void onLoop(Runnable close) {
        if (channel == null) {
            close.run();
        } else if (channel.eventLoop().inEventLoop()) {
            writeQueued();
            writePending();
            writeHeld();
            close.run();
        } else {
            channel.eventLoop().execute(() -> {
                synchronized (session) {
                    writeQueued();
                }
                writePending();
                writeHeld();
                close.run();
            });
        }
    }

    @Override
    void discard() {
        close();
    }
}
