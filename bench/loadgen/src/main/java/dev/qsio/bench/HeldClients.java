package dev.qsio.bench;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollSocketChannel;

/**
 * Many idle Socket.IO clients at a few dozen bytes each beyond their Netty channel: each holds a WebSocket to the
 * target (the upgrade, the Engine.IO open packet, the namespace CONNECT), answers every ping with a pong, and notes
 * the arrival of {@code msg} events in counters shared by all. Nothing else is kept per connection: the frames it
 * writes are shared buffers (a client frame must be masked: the mask key is zero, which leaves the payload as is),
 * the state is one small handler, and input is kept only while a frame is split across reads.
 * <p>
 * Connections are spread over the loopback source addresses 127.0.0.2 and up, each bound without a port
 * ({@code IP_BIND_ADDRESS_NO_PORT}) so that the kernel picks the port at connect time for the 4-tuple: every address
 * gets the whole ephemeral port range, and the ports stay shareable by other processes' connections (a port bound
 * before connect would be taken from every address). The sockets are bound with {@code SO_REUSEADDR}, so that a
 * server of another process binding the wildcard address on one of those ports is not refused because of them.
 */
final class HeldClients implements AutoCloseable {

    /** How full each source address's port range is allowed to get: the kernel's search slows as it fills. */
    private static final double PORT_FILL = 0.6;
    private static final byte[] MSG = "42[\"msg\",\"".getBytes(StandardCharsets.US_ASCII);
    private static final ByteBuf CONNECT = clientFrame("40");
    private static final ByteBuf PONG = clientFrame("3");

    private final Bootstrap bootstrap;
    private final InetSocketAddress remote;
    private final ByteBuf upgrade;
    private final int portsPerAddress;
    private final long epoch = System.nanoTime();
    private int next;
    /** The held channels, in the order opened (a plain array: a few bytes per connection). */
    private Channel[] channels = new Channel[1024];
    private int count;
    private volatile boolean closing;

    final LongAdder lost = new LongAdder();
    final LongAdder pings = new LongAdder();
    final Delivery delivery = new Delivery();

    HeldClients(EventLoopGroup loops, int port, int expected) {
        this.remote = new InetSocketAddress("127.0.0.1", port);
        this.portsPerAddress = (int) (ephemeralPorts() * PORT_FILL);
        this.upgrade = Unpooled.unreleasableBuffer(Unpooled.directBuffer().writeBytes(("GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\n"
                + "Host: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: cXNpby1oZWxkLWNsaWVudA==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII)));
        this.bootstrap = new Bootstrap().group(loops).channel(EpollSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_REUSEADDR, true)
                .option(EpollChannelOption.IP_BIND_ADDRESS_NO_PORT, true)
                // no connect timeout: its task would stay referenced by each channel (about 100 bytes); a connect
                // over loopback succeeds or is refused at once, and the batch's wait is bounded anyway
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 0)
                // one small buffer per read, back to the pool right after: nothing kept per connection
                .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(2048));
        this.channels = new Channel[Math.max(16, expected)];
    }

    /** The source addresses a number of connections needs: 127.0.0.2 and up, each filled to a share of its ports. */
    int addressesFor(int connections) {
        return Math.max(1, (connections + portsPerAddress - 1) / portsPerAddress);
    }

    private InetSocketAddress nextSource(int spread) {
        int i = Math.floorMod(next++, spread) + 2;
        return new InetSocketAddress("127.0." + (i >> 8) + "." + (i & 0xff), 0);
    }

    /** The kernel's ephemeral port range ({@code net.ipv4.ip_local_port_range}), in ports. */
    static int ephemeralPorts() {
        try {
            // line by line: an integer sysctl answers only a read at its start (Files.readString got its first digit)
            String[] f = Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).get(0).trim()
                    .split("\\s+");
            return Integer.parseInt(f[1]) - Integer.parseInt(f[0]) + 1;
        } catch (Exception e) {
            return 28_232; // Linux's default range, 32768 to 60999
        }
    }

    /**
     * What a batch of handshakes achieved: completions per tenth of a second since its start, the latency of each
     * handshake (connect to the namespace CONNECT's answer, microseconds), failures and their first cause.
     */
    final class Batch {
        final long start = System.nanoTime();
        final AtomicIntegerArray perTenth = new AtomicIntegerArray(36_000);
        final Recorder latency = new Recorder(120_000_000L, 3);
        final LongAdder done = new LongAdder();
        final LongAdder failed = new LongAdder();
        final AtomicLong lastDone = new AtomicLong(start);
        volatile String firstFailure;
        final Semaphore window;
        final boolean keep;

        Batch(int inFlight, boolean keep) {
            this.window = new Semaphore(inFlight);
            this.keep = keep;
        }

        void succeeded(Channel ch, long startedAt) {
            long now = System.nanoTime();
            latency.recordValue(Math.min((now - startedAt) / 1000, 120_000_000L));
            int slot = (int) ((now - start) / 100_000_000L);
            if (slot < perTenth.length()) {
                perTenth.incrementAndGet(slot);
            }
            lastDone.accumulateAndGet(now, Math::max);
            done.increment();
            if (keep) {
                add(ch);
            }
            window.release();
        }

        void failed(String cause) {
            if (firstFailure == null) {
                firstFailure = cause;
            }
            failed.increment();
            window.release();
        }

        /** The ramp gave up with {@code left} handshakes not started. */
        void stalled(int left) {
            if (firstFailure == null) {
                firstFailure = "no handshake ended for 120 s, " + left + " not started";
            }
            failed.add(left);
        }

        /** Waits until every handshake started has ended, for at most {@code seconds}. */
        boolean awaitAll(int inFlight, long seconds) throws InterruptedException {
            if (window.tryAcquire(inFlight, seconds, TimeUnit.SECONDS)) {
                window.release(inFlight);
                return true;
            }
            return false;
        }
    }

    /**
     * Opens {@code n} connections, at most {@code inFlight} handshakes at a time, spread over the source addresses
     * that {@code spreadFor} connections need; held until {@link #close()} when {@code keep}, else closed once
     * connected. With {@code perSecond} > 0 the starts are paced at that rate.
     */
    Batch open(int n, int inFlight, int spreadFor, boolean keep, double perSecond) throws InterruptedException {
        Batch batch = new Batch(inFlight, keep);
        int spread = addressesFor(spreadFor);
        for (int i = 0; i < n; i++) {
            if (perSecond > 0) {
                long due = batch.start + (long) (i * 1e9 / perSecond);
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
            }
            if (!batch.window.tryAcquire(120, TimeUnit.SECONDS)) {
                // every handshake in flight has hung for two minutes: the target stopped answering
                batch.stalled(n - i);
                break;
            }
            long startedAt = System.nanoTime();
            Held handler = new Held(batch, startedAt);
            ChannelFuture f = bootstrap.clone().handler(handler).connect(remote, nextSource(spread));
            f.addListener(done -> {
                if (!done.isSuccess()) {
                    handler.fail(null, String.valueOf(done.cause()));
                }
            });
        }
        batch.awaitAll(inFlight, 120);
        return batch;
    }

    private synchronized void add(Channel ch) {
        if (count == channels.length) {
            channels = java.util.Arrays.copyOf(channels, channels.length * 2);
        }
        channels[count++] = ch;
    }

    synchronized int held() {
        return count;
    }

    /** Connections whose last ping is older than {@code seconds} (a real client would have closed them). */
    synchronized int silentFor(long seconds) {
        int now = secondsSinceEpoch();
        int silent = 0;
        for (int i = 0; i < count; i++) {
            Held h = channels[i].pipeline().get(Held.class);
            if (h != null && now - h.lastPing > seconds) {
                silent++;
            }
        }
        return silent;
    }

    private int secondsSinceEpoch() {
        return (int) ((System.nanoTime() - epoch) / 1_000_000_000L);
    }

    /** Closes every held connection and waits (bounded) until they are closed; the instance is done after it. */
    @Override
    public void close() {
        closing = true;
        Channel[] all;
        int n;
        synchronized (this) {
            all = channels;
            n = count;
            channels = new Channel[16];
            count = 0;
        }
        ChannelFuture[] closed = new ChannelFuture[n];
        for (int i = 0; i < n; i++) {
            closed[i] = all[i].close();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        for (int i = 0; i < n; i++) {
            closed[i].awaitUninterruptibly(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
        }
    }

    /**
     * The arrivals of one broadcast to every held connection: how many arrived, the first and the last arrival, each
     * against the send time the publisher wrote into the payload.
     */
    static final class Delivery {
        final LongAdder count = new LongAdder();
        final AtomicLong first = new AtomicLong(Long.MAX_VALUE);
        final AtomicLong last = new AtomicLong(Long.MIN_VALUE);
        volatile long sentAt;

        void reset() {
            count.reset();
            first.set(Long.MAX_VALUE);
            last.set(Long.MIN_VALUE);
        }

        void arrived(long sent, long now) {
            sentAt = sent;
            first.accumulateAndGet(now, Math::min);
            last.accumulateAndGet(now, Math::max);
            count.increment();
        }
    }

    /** A masked client text frame (mask key zero) in a buffer shared by every write. */
    private static ByteBuf clientFrame(String text) {
        byte[] payload = text.getBytes(StandardCharsets.US_ASCII);
        ByteBuf b = Unpooled.directBuffer(6 + payload.length);
        b.writeByte(0x81).writeByte(0x80 | payload.length).writeInt(0).writeBytes(payload);
        return Unpooled.unreleasableBuffer(b);
    }

    /** One connection's state: where its handshake is, its last ping, and input split across reads. */
    private final class Held extends ChannelInboundHandlerAdapter {
        private static final byte UPGRADING = 0, OPENING = 1, CONNECTING = 2, CONNECTED = 3;

        private Batch batch;
        private final long startedAt;
        private byte state = UPGRADING;
        /** Connected and kept: its end is a loss unless this generator closes it. */
        private boolean held;
        int lastPing;
        private ByteBuf pending;

        Held(Batch batch, long startedAt) {
            this.batch = batch;
            this.startedAt = startedAt;
            this.lastPing = secondsSinceEpoch();
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            ctx.writeAndFlush(upgrade.duplicate(), ctx.voidPromise());
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (pending != null) {
                pending.release();
                pending = null;
            }
            if (held) {
                if (!closing) {
                    lost.increment();
                }
            } else if (batch != null) {
                Batch b = batch;
                batch = null;
                b.failed("closed during the handshake (" + stateName() + ")");
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf in = (ByteBuf) msg;
            if (pending != null) {
                ByteBuf all = pending.writeBytes(in);
                in.release();
                in = all;
                pending = null;
            }
            try {
                if (state == UPGRADING && !upgraded(ctx, in)) {
                    return;
                }
                while (in.isReadable() && frame(ctx, in)) {
                    // one frame read
                }
                if (in.isReadable()) {
                    pending = ctx.alloc().heapBuffer(in.readableBytes() + 256).writeBytes(in);
                }
            } finally {
                in.release();
            }
        }

        /** Skips the 101 response once whole; false while it is not. */
        private boolean upgraded(ChannelHandlerContext ctx, ByteBuf in) {
            int end = -1;
            for (int i = in.readerIndex(); i + 3 < in.writerIndex(); i++) {
                if (in.getByte(i) == '\r' && in.getByte(i + 1) == '\n' && in.getByte(i + 2) == '\r'
                        && in.getByte(i + 3) == '\n') {
                    end = i + 4;
                    break;
                }
            }
            if (end < 0) {
                pending = ctx.alloc().heapBuffer(in.readableBytes() + 256).writeBytes(in);
                return false;
            }
            String status = in.toString(in.readerIndex(), Math.min(12, end - in.readerIndex()), StandardCharsets.US_ASCII);
            if (!status.equals("HTTP/1.1 101")) {
                fail(ctx, "upgrade answered " + in.toString(in.readerIndex(), end - in.readerIndex(), StandardCharsets.US_ASCII)
                        .lines().findFirst().orElse(""));
                in.skipBytes(in.readableBytes());
                return false;
            }
            in.readerIndex(end);
            state = OPENING;
            return true;
        }

        /** Reads one whole frame from {@code in}; false (nothing read) when it is not all there yet. */
        private boolean frame(ChannelHandlerContext ctx, ByteBuf in) {
            int at = in.readerIndex();
            if (in.readableBytes() < 2) {
                return false;
            }
            int opcode = in.getByte(at) & 0x0f;
            int len = in.getByte(at + 1) & 0x7f;
            int header = 2;
            if (len == 126) {
                if (in.readableBytes() < 4) {
                    return false;
                }
                len = in.getUnsignedShort(at + 2);
                header = 4;
            } else if (len == 127) {
                if (in.readableBytes() < 10) {
                    return false;
                }
                len = (int) in.getLong(at + 2);
                header = 10;
            }
            if (in.readableBytes() < header + len) {
                return false;
            }
            in.readerIndex(at + header + len);
            int p = at + header;
            switch (opcode) {
                case 1 -> text(ctx, in, p, len);
                case 8 -> ctx.close();
                default -> {
                    // pings of the WebSocket layer are not sent by the targets; continuations and binary not used
                }
            }
            return true;
        }

        private void text(ChannelHandlerContext ctx, ByteBuf in, int p, int len) {
            if (len == 0) {
                return;
            }
            byte type = in.getByte(p);
            if (type == '2') {
                lastPing = secondsSinceEpoch();
                pings.increment();
                ctx.writeAndFlush(PONG.duplicate(), ctx.voidPromise());
            } else if (type == '4' && len > 1) {
                byte sio = in.getByte(p + 1);
                if (sio == '2') {
                    event(in, p, len);
                } else if (sio == '0' && state == CONNECTING) {
                    state = CONNECTED;
                    Batch b = batch;
                    batch = null;
                    lastPing = secondsSinceEpoch();
                    held = b.keep;
                    b.succeeded(ctx.channel(), startedAt);
                    if (!b.keep) {
                        ctx.close();
                    }
                } else if (sio == '4') {
                    fail(ctx, "CONNECT_ERROR " + in.toString(p, len, StandardCharsets.UTF_8));
                }
            } else if (type == '0' && state == OPENING) {
                state = CONNECTING;
                ctx.writeAndFlush(CONNECT.duplicate(), ctx.voidPromise());
            } else if (type == '1') {
                ctx.close();
            }
        }

        private void event(ByteBuf in, int p, int len) {
            long now = System.nanoTime();
            if (len <= MSG.length) {
                return;
            }
            for (int i = 2; i < MSG.length; i++) {
                if (in.getByte(p + i) != MSG[i]) {
                    return;
                }
            }
            long sent = 0;
            for (int i = p + MSG.length; i < p + len; i++) {
                byte c = in.getByte(i);
                if (c < '0' || c > '9') {
                    break;
                }
                sent = sent * 10 + (c - '0');
            }
            delivery.arrived(sent, now);
        }

        /** Ends the handshake as failed (once), and the connection when there is one. */
        void fail(ChannelHandlerContext ctx, String cause) {
            Batch b = batch;
            batch = null;
            if (b != null) {
                b.failed(cause);
            }
            if (ctx != null) {
                ctx.close();
            }
        }

        private String stateName() {
            return switch (state) {
                case UPGRADING -> "no 101 response";
                case OPENING -> "no Engine.IO open packet";
                case CONNECTING -> "no namespace CONNECT answer";
                default -> "connected";
            };
        }
    }

    /** The latency histogram of a batch's handshakes, in microseconds. */
    static Histogram latencies(Batch b) {
        return b.latency.getIntervalHistogram();
    }
}
