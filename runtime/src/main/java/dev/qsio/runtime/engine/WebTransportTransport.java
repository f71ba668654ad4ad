package dev.qsio.runtime.engine;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

import dev.qsio.HandshakeRequest;
import dev.qsio.runtime.config.Checks;
import dev.qsio.runtime.config.SocketIoRuntimeConfig;
import dev.qsio.runtime.internals.FrameworkInternals;
import dev.qsio.runtime.webtransport.WebTransportServer;
import dev.qsio.runtime.webtransport.WebTransportSession;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.incubator.codec.quic.QuicStreamChannel;
import io.quarkus.runtime.configuration.ConfigurationException;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;

/**
 * Engine.IO over WebTransport (engine.io 6.5+, socket.io-client 4.7+): a session's packets on one bidirectional stream
 * of a WebTransport session, each behind a header that gives its length and whether it is binary (engine.io-parser's
 * {@code createPacketEncoderStream}): one byte for a length under 126, else 126 and 16 bits, or 127 and 64 bits; the
 * top bit of the first byte marks binary. The first packet is the client's OPEN: empty for a new session, which the
 * server answers with its own OPEN; {@code {"sid":...}} to upgrade that session, which then goes through the probe
 * as on a WebSocket. The HTTP/3 listener is {@link WebTransportServer}, on {@code quarkus.socketio.webtransport.port}.
 */
final class WebTransportTransport extends Transport {

    private static final Logger LOG = Logger.getLogger(WebTransportTransport.class);

    static final TransportKind KIND = new TransportKind("webtransport", false, 2) {
        @Override
        <C> void open(EngineServer<C> server, HttpServerRequest request, HandshakeRequest handshake, boolean eio3,
                AddressLimits.Entry address) {
            // never over HTTP/1.1 or HTTP/2: its sessions open on the listener's streams
            server.refuse(request, EngineError.BAD_REQUEST);
        }

        @Override
        void check(EngineEndpoints endpoints) {
            if (hasHttpServer()) {
                settings(endpoints.config.webtransport(), endpoints.options().maxHttpBufferSize());
            }
        }

        @Override
        AutoCloseable listen(EngineEndpoints endpoints) {
            if (!hasHttpServer()) {
                return null;
            }
            WebTransportServer.Settings settings = settings(endpoints.config.webtransport(),
                    endpoints.options().maxHttpBufferSize());
            try {
                WebTransportServer server = WebTransportServer.start(endpoints.vertx.nettyEventLoopGroup(), settings,
                        WebTransportTransport::accept);
                LOG.infof("WebTransport (HTTP/3) listening on %s", server.describe());
                List<String> unseen = HttpPermissions.covering(ConfigProvider.getConfig(), EngineRoute.paths());
                if (!unseen.isEmpty()) {
                    LOG.warnf("quarkus.socketio.transports lists webtransport, whose sessions reach the HTTP/3 listener"
                            + " and not the HTTP server: these HTTP permissions cover the Engine.IO path %s but will"
                            + " not see a WebTransport session: %s. Check those clients in a HandshakeFilter, or leave"
                            + " webtransport out of quarkus.socketio.transports (webtransport.adoc, Limits)",
                            new TreeSet<>(EngineRoute.paths()), String.join("; ", unseen));
                }
                if (endpoints.middlewares().present()) {
                    LOG.warnf("quarkus.socketio.transports lists webtransport, but the application has engine middlewares"
                            + " (%s), which cannot run for a WebTransport session (it reaches the HTTP/3 listener, not the"
                            + " HTTP server): every WebTransport session is refused, and no handshake offers the upgrade"
                            + " to it, as Node's engine does once engine.use() was called. Leave webtransport out of"
                            + " quarkus.socketio.transports, or check its clients in a HandshakeFilter instead",
                            String.join(", ", endpoints.middlewares().names()));
                }
                return server;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while binding the WebTransport port", e);
            } catch (Exception e) {
                throw new ConfigurationException("quarkus.socketio.webtransport: cannot listen on UDP "
                        + settings.host() + ":" + settings.port() + " with certificate " + settings.certificate()
                        + ": " + e.getMessage(), Set.of("quarkus.socketio.webtransport.port"));
            }
        }
    };

    /**
     * Whether this process has an HTTP server, and so listens for WebTransport: not a cluster's primary, which holds
     * the ports and relays QUIC to its workers.
     */
    private static boolean hasHttpServer() {
        return ConfigProvider.getConfig().getOptionalValue("quarkus.http.host-enabled", Boolean.class).orElse(true);
    }

    /** The listener's settings; a missing certificate or a bad value fails startup naming its key. */
    static WebTransportServer.Settings settings(SocketIoRuntimeConfig.WebTransport config, int maxHttpBufferSize) {
        Config all = ConfigProvider.getConfig();
        String cert = config.certificateFile()
                .or(() -> all.getOptionalValue("quarkus.http.ssl.certificate.files", String.class)).orElse(null);
        String key = config.keyFile()
                .or(() -> all.getOptionalValue("quarkus.http.ssl.certificate.key-files", String.class)).orElse(null);
        if (cert == null || key == null) {
            throw new ConfigurationException("quarkus.socketio.transports lists webtransport, which needs a certificate: "
                    + "set quarkus.socketio.webtransport.certificate-file and key-file (or quarkus.http.ssl.certificate.files "
                    + "and key-files)", Set.of("quarkus.socketio.webtransport.certificate-file"));
        }
        for (String[] f : new String[][] { { "certificate-file", cert.split(",")[0] }, { "key-file", key.split(",")[0] } }) {
            if (!new File(f[1].trim()).isFile()) {
                throw new ConfigurationException("quarkus.socketio.webtransport." + f[0] + ": no file at " + f[1],
                        Set.of("quarkus.socketio.webtransport." + f[0]));
            }
        }
        int port = config.port().orElseGet(() -> all.getOptionalValue("quarkus.http.ssl-port", Integer.class).orElse(8443));
        if (port < 0 || port > 65535) {
            throw new ConfigurationException("quarkus.socketio.webtransport.port must be a UDP port (0 to 65535), got "
                    + port, Set.of("quarkus.socketio.webtransport.port"));
        }
        if (config.maxStreams() < 1 || config.maxStreams() > 100) {
            throw new ConfigurationException("quarkus.socketio.webtransport.max-streams must be between 1 and 100, got "
                    + config.maxStreams(), Set.of("quarkus.socketio.webtransport.max-streams"));
        }
        long idle = Checks.positive("quarkus.socketio.webtransport.idle-timeout", config.idleTimeout());
        String host = config.host().or(() -> all.getOptionalValue("quarkus.http.host", String.class)).orElse("0.0.0.0");
        int socketBuffer = (int) Checks.within("quarkus.socketio.webtransport.socket-buffer",
                config.socketBuffer().asLongValue(), 64 * 1024, 1L << 30);
        return new WebTransportServer.Settings(host, port, new File(cert.split(",")[0].trim()),
                new File(key.split(",")[0].trim()), config.maxStreams(), idle, Math.max(16 * 1024, maxHttpBufferSize),
                socketBuffer);
    }

    /** A WebTransport session asks to open at a path: 200 when an engine server is there, for protocol revision 4. */
    private static int accept(WebTransportSession wt) {
        EngineServer<?> server = EngineRoute.at(wt.path());
        if (server == null || !server.options().transports().contains(KIND)) {
            LOG.debugf("a WebTransport session at %s refused: no Engine.IO server there takes WebTransport", wt.path());
            return 404;
        }
        if (server.middlewares().present()) {
            LOG.debugf("a WebTransport session at %s refused: the application has engine middlewares (%s), which cannot"
                    + " run for it", wt.path(), server.middlewares().names());
            return 403;
        }
        int q = wt.path().indexOf('?');
        Map<String, List<String>> query = HandshakeMaps.query(q < 0 ? "" : wt.path().substring(q + 1));
        List<String> eio = query.get("EIO");
        // engine.io-client sends no query on this transport: it speaks revision 4, the only one that has it
        if (eio != null && !eio.contains("4")) {
            LOG.debugf("a WebTransport session at %s refused: protocol revision 4 only", wt.path());
            return 400;
        }
        Context context = contextOf(server.vertx(), wt.eventLoop());
        inContext(context, () -> {
            Stream<?> first = new Stream<>(server, wt, query, context);
            wt.onStream(first::take);
        });
        return 200;
    }

    /**
     * The Vert.x context of each QUIC event loop. A session's handshake, packets, timers and close run on its loop's,
     * as a WebSocket's run on its HTTP server's: the application's handlers see a Vert.x context, the sends to the
     * sessions of a loop from that loop go straight to their streams, and the sessions of a loop share one context
     * (without it, each made two of its own, bound to other loops than its stream's: about 1 KB of heap per session
     * in a class histogram of 5,000).
     */
    private static final Map<EventLoop, Context> CONTEXTS = new ConcurrentHashMap<>();

    static Context contextOf(Vertx vertx, EventLoop loop) {
        Context context = CONTEXTS.get(loop);
        if (context == null || context.owner() != vertx) {
            // the first session of this loop, or of a new Vert.x instance (tests, dev mode's restarts)
            context = FrameworkInternals.eventLoopContext(vertx, loop);
            CONTEXTS.put(loop, context);
        }
        return context;
    }

    /** Runs {@code task} now, on the loop, with {@code context} current. */
    static void inContext(Context context, Runnable task) {
        Context previous = FrameworkInternals.beginDispatch(context);
        try {
            task.run();
        } finally {
            FrameworkInternals.endDispatch(context, previous);
        }
    }

    /**
     * The session's stream, as the client opens it: its first packet (an OPEN) decides whether it starts a session or
     * upgrades one; until then nothing else is read. The client has {@code upgrade-timeout} to send it.
     */
    private static final class Stream<C> {
        final EngineServer<C> server;
        final WebTransportSession wt;
        final Map<String, List<String>> query;
        /** The context of the session's loop ({@link #contextOf}). */
        final Context context;
        QuicStreamChannel stream;
        WebTransportTransport transport;
        /** The stream upgrades a session another server owns: what it carries goes to the cross-server engine. */
        Held held;
        /** While the asynchronous handshake filters decide on its OPEN: what abandons their decision. */
        Runnable deciding;
        final long timer;

        @SuppressWarnings("unchecked")
        Stream(EngineServer<?> server, WebTransportSession wt, Map<String, List<String>> query, Context context) {
            this.server = (EngineServer<C>) server;
            this.wt = wt;
            this.query = query;
            this.context = context;
            this.timer = server.vertx().setTimer(server.options().upgradeTimeoutMs(), t -> wt.eventLoop().execute(() -> {
                if (transport == null) {
                    LOG.debugf("a WebTransport session sent no OPEN within upgrade-timeout");
                    wt.close(0, "no OPEN packet within upgrade-timeout");
                }
            }));
            wt.onClose(() -> inContext(context, () -> {
                LOG.debugf("the WebTransport session of %s ended: stream %s, transport %s, held %s", wt.remoteAddress(),
                        stream == null ? "none" : stream.streamId(), transport != null, held != null);
                server.vertx().cancelTimer(timer);
                Runnable d = deciding;
                if (d != null) {
                    deciding = null;
                    d.run();
                }
                WebTransportTransport t = transport;
                if (t != null) {
                    t.closed = true;
                    t.session.onTransportClosed(t, "transport close");
                } else if (held != null) {
                    held.ended();
                }
            }));
        }

        void take(QuicStreamChannel s) {
            if (stream != null) {
                // an Engine.IO session uses one stream: any other is refused
                s.close();
                return;
            }
            stream = s;
            LOG.debugf("stream %d of %s taken", s.streamId(), wt.remoteAddress());
            s.pipeline().addLast(new Frames(this, server.options().maxHttpBufferSize()));
        }

        /** A packet of the stream: the first opens or upgrades a session, the others go to it. */
        void onPacket(EnginePacket packet) {
            WebTransportTransport t = transport;
            if (t != null) {
                server.stats().bytesIn(packet.size());
                t.session.onPacket(t, packet);
                return;
            }
            if (held != null) {
                held.onPacket(packet);
                return;
            }
            server.vertx().cancelTimer(timer);
            LOG.debugf("first packet %s from %s", packet.type, wt.remoteAddress());
            if (deciding != null) {
                // the client waits for the server's OPEN before it sends anything else
                malformed("a packet before the handshake was answered");
                return;
            }
            if (packet.type != EnginePacketType.OPEN) {
                LOG.debugf("a WebTransport stream that does not start with an OPEN packet closed");
                wt.close(0, "the first packet must be an OPEN");
                return;
            }
            if (packet.text == null || packet.text.isEmpty()) {
                open();
            } else {
                upgrade(packet.text);
            }
        }

        /** Who the session's CONNECT says the client is. */
        HandshakeRequest handshake() {
            java.net.InetSocketAddress remote = wt.remoteAddress();
            String host = remote == null ? null : remote.getAddress().getHostAddress();
            return new HandshakeRequest("CONNECT", wt.path().split("\\?", 2)[0], HandshakeMaps.headers(wt.headers()),
                    query, remote == null ? null : host + ":" + remote.getPort(), true, Instant.now());
        }

        private void open() {
            java.net.InetSocketAddress remote = wt.remoteAddress();
            String host = remote == null ? null : remote.getAddress().getHostAddress();
            LOG.debugf("a WebTransport OPEN from %s", remote);
            deciding = server.handshakeOn(handshake(), wt.headers(), host, loop(), session -> {
                deciding = null;
                LOG.debugf("a WebTransport session %s opened for %s", session.id(), remote);
                transport = new WebTransportTransport(session, wt, stream);
                return transport;
            }, refusal -> {
                deciding = null;
                LOG.debugf("a WebTransport handshake refused: %s", refusal);
                wt.close(0, "handshake refused");
            });
        }

        /**
         * The connection's event loop, where its handshake goes on once the asynchronous filters have decided. It runs
         * every task later, so that {@link #deciding} is set before the decision comes.
         */
        private HandshakeFilters.Loop loop() {
            EventLoop loop = wt.eventLoop();
            return new HandshakeFilters.Loop() {
                @Override
                public void execute(Runnable task) {
                    loop.execute(() -> inContext(context, task));
                }

                @Override
                public Runnable schedule(long ms, Runnable task) {
                    ScheduledFuture<?> timer = loop.schedule(() -> inContext(context, task), ms, TimeUnit.MILLISECONDS);
                    return () -> timer.cancel(false);
                }
            };
        }

        private void upgrade(String data) {
            String sid;
            try {
                sid = new io.vertx.core.json.JsonObject(data).getString("sid");
            } catch (RuntimeException e) {
                sid = null;
            }
            EngineSession<C> session = sid == null ? null : server.session(sid);
            if (session == null && sid != null && server.options().allowUpgrades()) {
                // in a cluster, the session may be another server's: its engine probes the stream here, then takes the
                // session over or relays the stream to it
                held = new Held(this);
                if (server.serveElsewhere(sid, held)) {
                    return;
                }
                held = null;
            }
            if (session == null || !server.options().allowUpgrades()) {
                LOG.debugf("a WebTransport upgrade for no session here (%s) closed", sid);
                wt.close(0, "unknown session");
                return;
            }
            WebTransportTransport t = new WebTransportTransport(session, wt, stream);
            if (!session.beginUpgrade(t)) {
                LOG.debugf("a WebTransport upgrade of session %s refused: it cannot upgrade now", sid);
                wt.close(0, "the session cannot upgrade now");
                return;
            }
            transport = t;
        }

        void malformed(String why) {
            WebTransportTransport t = transport;
            LOG.debugf("a malformed WebTransport stream closed: %s", why);
            if (t != null) {
                t.session.onError(why);
            } else if (held != null) {
                held.endReason = "parse error";
            }
            wt.close(0, "parse error");
        }
    }

    /**
     * Cuts the stream into packets (engine.io-parser's {@code createPacketDecoderStream}); Netty's decoder keeps what
     * has come of a packet until the rest does.
     */
    private static final class Frames extends ByteToMessageDecoder {
        private final Stream<?> to;
        private final int maxPayload;
        private boolean failed;

        Frames(Stream<?> to, int maxPayload) {
            this.to = to;
            this.maxPayload = maxPayload;
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
            if (failed) {
                in.skipBytes(in.readableBytes());
                return;
            }
            int start = in.readerIndex();
            int first = in.readUnsignedByte();
            long length = first & 0x7f;
            if (length == 126 && in.readableBytes() >= 2) {
                length = in.readUnsignedShort();
            } else if (length == 127 && in.readableBytes() >= 8) {
                length = in.readLong();
            } else if (length >= 126) {
                in.readerIndex(start);
                return;
            }
            if (length <= 0 || length > maxPayload) {
                failed = true;
                in.skipBytes(in.readableBytes());
                to.malformed(length <= 0 ? "a packet of length " + length : "a packet of " + length + " bytes, over "
                        + maxPayload);
                return;
            }
            if (in.readableBytes() < length) {
                in.readerIndex(start);
                return;
            }
            EnginePacket packet;
            if ((first & 0x80) != 0) {
                byte[] data = new byte[(int) length];
                in.readBytes(data);
                packet = EnginePacket.message(Buffer.buffer(data));
            } else {
                try {
                    packet = EngineCodec.decode(in.readCharSequence((int) length, StandardCharsets.UTF_8).toString());
                } catch (MalformedPacketException e) {
                    failed = true;
                    in.skipBytes(in.readableBytes());
                    to.malformed(e.getMessage());
                    return;
                }
            }
            to.onPacket(packet);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
            // the packets go to the session in its loop's context
            Context previous = FrameworkInternals.beginDispatch(to.context);
            try {
                super.channelRead(ctx, msg);
            } finally {
                FrameworkInternals.endDispatch(to.context, previous);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            Context previous = FrameworkInternals.beginDispatch(to.context);
            try {
                super.channelInactive(ctx);
                to.wt.close();
            } finally {
                FrameworkInternals.endDispatch(to.context, previous);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // a reset by the client, or a failed read: the stream and its session end
            LOG.debugf("the WebTransport stream of a session failed: %s", cause.getMessage());
            inContext(to.context, to.wt::close);
        }
    }

    /**
     * A stream that upgrades a session another server owns ({@link UpgradeStream}). What the client sends waits here
     * until the cross-server engine says where it goes: to the probe, then to the owner or to the session taken over.
     * Its state is kept on the stream's loop.
     */
    private static final class Held extends UpgradeStream {
        private final Stream<?> of;
        private final ArrayDeque<EnginePacket> waiting = new ArrayDeque<>();
        /** Where the client's packets go now; null: they wait. */
        private java.util.function.Consumer<EnginePacket> sink;
        private Runnable onEnd;
        private boolean over;
        private long probeTimer = -1;
        /** Why the stream ended, for the owner of a relayed session: its client closed it, or wrote a bad frame. */
        String endReason = "transport close";

        Held(Stream<?> of) {
            this.of = of;
        }

        private void onLoop(Runnable task) {
            EventLoop loop = of.wt.eventLoop();
            if (loop.inEventLoop()) {
                inContext(of.context, task);
            } else {
                loop.execute(() -> inContext(of.context, task));
            }
        }

        void onPacket(EnginePacket packet) {
            if (sink != null) {
                sink.accept(packet);
            } else {
                waiting.add(packet);
            }
        }

        private void to(java.util.function.Consumer<EnginePacket> next) {
            sink = next;
            while (sink == next && !waiting.isEmpty()) {
                next.accept(waiting.poll());
            }
        }

        /** The stream's session ended. On the loop. */
        void ended() {
            if (over) {
                return;
            }
            over = true;
            sink = null;
            Runnable r = onEnd;
            onEnd = null;
            if (r != null) {
                r.run();
            }
        }

        @Override
        public HandshakeRequest handshake() {
            return of.handshake();
        }

        @Override
        public void probe(Runnable upgraded, Runnable failed) {
            onLoop(() -> {
                Runnable fail = () -> {
                    if (probeTimer >= 0) {
                        of.server.vertx().cancelTimer(probeTimer);
                    }
                    sink = null;
                    onEnd = null;
                    failed.run();
                    of.wt.close(0, "upgrade failed");
                };
                if (over) {
                    failed.run();
                    return;
                }
                onEnd = fail;
                probeTimer = of.server.vertx().setTimer(of.server.options().upgradeTimeoutMs(),
                        t -> onLoop(() -> {
                            if (onEnd == fail) {
                                LOG.debugf("a WebTransport upgrade relayed to another server sent no UPGRADE in time");
                                fail.run();
                            }
                        }));
                to(packet -> {
                    if (packet.type == EnginePacketType.PING && "probe".equals(packet.text)) {
                        write(List.of(EnginePacket.PROBE_PONG));
                    } else if (packet.type == EnginePacketType.UPGRADE) {
                        of.server.vertx().cancelTimer(probeTimer);
                        onEnd = null;
                        // what follows waits for the owner's answer
                        sink = null;
                        upgraded.run();
                    } else {
                        LOG.debugf("a WebTransport upgrade relayed to another server sent %s during its probe", packet.type);
                        fail.run();
                    }
                });
            });
        }

        @Override
        public void relay(java.util.function.Consumer<EnginePacket> packets,
                java.util.function.Consumer<String> closed) {
            onLoop(() -> {
                if (over) {
                    closed.accept(endReason);
                    return;
                }
                onEnd = () -> closed.accept(endReason);
                to(packets);
            });
        }

        @Override
        public void write(List<EnginePacket> packets) {
            onLoop(() -> {
                QuicStreamChannel stream = of.stream;
                for (EnginePacket p : packets) {
                    stream.write(frame(stream, p, of.server.stats()), stream.voidPromise());
                }
                stream.flush();
            });
        }

        @Override
        public long backlog() {
            return WebSocketChannels.backlog(of.stream);
        }

        @Override
        public void close() {
            onLoop(() -> {
                QuicStreamChannel stream = of.stream;
                stream.writeAndFlush(io.netty.buffer.Unpooled.EMPTY_BUFFER).addListener(f -> of.wt.close());
            });
        }

        @Override
        void adopt(EngineSession<?> session, List<EnginePacket> clientPackets, Runnable lost) {
            onLoop(() -> {
                if (over) {
                    lost.run();
                    return;
                }
                WebTransportTransport t = new WebTransportTransport(session, of.wt, of.stream);
                List<EnginePacket> all = new java.util.ArrayList<>(clientPackets);
                all.addAll(waiting);
                waiting.clear();
                of.held = null;
                of.transport = t;
                session.startAdopted(t, all);
            });
        }
    }

    // ---- the transport of one session

    private final QuicStreamChannel stream;
    /** The WebTransport session whose stream it is, which ends with it. */
    private final WebTransportSession wt;
    private volatile boolean closed;
    /** Packets sent from off the stream's loop, written there in order (see WebSocketTransport's outbox). */
    private ArrayDeque<EnginePacket> outbox;
    private boolean drainScheduled;

    private WebTransportTransport(EngineSession<?> session, WebTransportSession wt, QuicStreamChannel stream) {
        super(session);
        this.wt = wt;
        this.stream = stream;
    }

    @Override
    TransportKind kind() {
        return KIND;
    }

    @Override
    boolean writable() {
        return !closed;
    }

    @Override
    boolean closesWithPacket() {
        return false;
    }

    @Override
    boolean congested() {
        return closed || !stream.isWritable();
    }

    @Override
    long backlog() {
        return WebSocketChannels.backlog(stream);
    }

    @Override
    void send(List<EnginePacket> packets) {
        for (EnginePacket packet : packets) {
            send(packet);
        }
    }

    @Override
    void send(EnginePacket packet) {
        if (stream.eventLoop().inEventLoop()) {
            writeQueued();
            write(packet);
            stream.flush();
            return;
        }
        if (outbox == null) {
            outbox = new ArrayDeque<>(4);
        }
        outbox.add(packet);
        if (!drainScheduled) {
            drainScheduled = true;
            stream.eventLoop().execute(() -> {
                synchronized (session) {
                    drainScheduled = false;
                    writeQueued();
                }
                stream.flush();
            });
        }
    }

    @Override
    void writeQueued() {
        ArrayDeque<EnginePacket> queued = outbox;
        if (queued == null) {
            return;
        }
        for (EnginePacket p; (p = queued.poll()) != null;) {
            write(p);
        }
    }

    /** Writes one packet behind its header. On the stream's loop. */
    private void write(EnginePacket packet) {
        stream.write(frame(stream, packet, session.server.stats()), stream.voidPromise());
    }

    /** One packet behind its header (engine.io-parser's {@code createPacketEncoderStream}), counted as bytes out. */
    static ByteBuf frame(QuicStreamChannel stream, EnginePacket packet, EngineStats stats) {
        Buffer body = packet.frame(false);
        int length = body.length();
        stats.bytesOut(length);
        ByteBuf out = stream.alloc().directBuffer(length + 9);
        int flag = packet.isBinary() ? 0x80 : 0;
        if (length < 126) {
            out.writeByte(flag | length);
        } else if (length < 65536) {
            out.writeByte(flag | 126).writeShort(length);
        } else {
            out.writeByte(flag | 127).writeLong(length);
        }
        ByteBuf bytes = body.getByteBuf();
        out.writeBytes(bytes, bytes.readerIndex(), length);
        return out;
    }

    @Override
    void close() {
        if (closed) {
            return;
        }
        closed = true;
        Runnable end = () -> {
            synchronized (session) {
                writeQueued();
            }
            stream.writeAndFlush(io.netty.buffer.Unpooled.EMPTY_BUFFER).addListener(f -> closeSession());
        };
        if (stream.eventLoop().inEventLoop()) {
            end.run();
        } else {
            stream.eventLoop().execute(end);
        }
    }

    private void closeSession() {
        wt.close();
    }

    @Override
    void draining() {
        wt.drain();
    }

    @Override
    void discard() {
        close();
    }
}
