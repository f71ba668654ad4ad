package dev.qsio.runtime.server;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import dev.qsio.ClusterInfo;
import dev.qsio.runtime.config.SocketIoBuildTimeConfig;
import dev.qsio.runtime.config.SocketIoRuntimeConfig;
import dev.qsio.runtime.engine.EngineEndpoints;
import dev.qsio.runtime.engine.EnginePacket;
import dev.qsio.runtime.engine.EngineServer;
import dev.qsio.runtime.engine.EngineSession;
import dev.qsio.runtime.engine.SessionHandler;
import dev.qsio.runtime.protocol.Encoded;
import dev.qsio.runtime.protocol.Packet;
import dev.qsio.runtime.protocol.PacketDecoder;
import dev.qsio.runtime.protocol.PacketKind;
import dev.qsio.runtime.protocol.ProtocolException;
import dev.qsio.runtime.protocol.ProtocolJson;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.ext.web.Router;

/**
 * Warms the connection path before the process takes its first client ({@code quarkus.socketio.warm-up}). At
 * startup, before the HTTP server binds, it serves a private {@link EngineServer} (this application's engine settings,
 * none of its endpoints: {@link EngineEndpoints#privateServer}) from a private HTTP server on a loopback port, and
 * connects to it as clients do, in turn over the transports the application allows: WebSocket, polling, polling then
 * upgrade, each session with a Socket.IO CONNECT and an acknowledged event, answered with the application's packet
 * encoder and decoder. Then it closes both, and waits for the JIT compiler to compile what they made hot
 * ({@link CompilerQueue}): the sessions end long before that, and a process that listened with hundreds of methods
 * still queued compiled them during its first clients ({@code bench/runs/20261201-jit-queue}). It does so
 * {@code quarkus.socketio.warm-up.passes} times: each pass takes more of the path to the optimizing compiler
 * ({@code bench/runs/20261202-warm-up-passes}). The JIT compiler so
 * compiles the HTTP decoding, the WebSocket upgrade, the engine's handshake and transports and the packet codec before
 * the first herd of clients, which met a cold path (a third of a ramp's CPU was the compiler,
 * {@code bench/runs/20261128-connections-profile}).
 * <p>
 * Nothing of the application sees these sessions: they reach no namespace, handler, handshake filter or limit, are
 * counted in none of its figures and stored in no session store. A worker that warms up ({@link #connections()})
 * does it before it tells the primary it is ready, through the primary's warm-up port ({@link WarmUpRoute}); the
 * primary, which serves no engine, does not.
 */
@Singleton
public class WarmUp {

    private static final Logger LOG = Logger.getLogger(WarmUp.class);

    /**
     * The default number of sessions in a packaged application's single process, and in a worker that replaces another
     * in a rolling restart (its primary sets it there).
     */
    public static final int DEFAULT_CONNECTIONS = 4000;

    /** How many warm-up sessions are under way at once. */
    static final int LANES = 32;

    /** The most one warm-up session may take before it counts as failed and its lane goes on. */
    static final long SESSION_TIMEOUT_MS = 5000;

    @Inject
    Vertx vertx;

    @Inject
    EngineEndpoints engines;

    @Inject
    ProtocolJson json;

    @Inject
    SocketIoRuntimeConfig config;

    @Inject
    SocketIoBuildTimeConfig build;

    @Inject
    ClusterInfo identity;

    @Inject
    WarmUpRoute route;

    /**
     * What the last warm-up did (for the startup log and the tests): its sessions (all passes together, and the time
     * they took), how long it waited for the JIT compiler (after each pass, together) and how the last wait ended, and
     * how many passes it made.
     */
    public record Result(int sessions, int failed, long millis, boolean timedOut, long compilerMillis,
            Compiler compiler, int passes, long handedOver) {

        /** Whether the compiler was done before the timeout. */
        public boolean compilerQuiet() {
            return compiler == Compiler.QUIET;
        }
    }

    /** How the wait for the JIT compiler ended, and what the startup log says of it. */
    public enum Compiler {
        /** The compiler went quiet within the timeout. */
        QUIET(""),
        /** The timeout came while the compiler was still busy. */
        STILL_COMPILING(" (still compiling at the timeout)"),
        /** The sessions used the whole timeout: the compiler was not waited for. */
        NO_TIME_LEFT(" (none left: the sessions used the whole timeout)"),
        /** This JVM does not tell its compilers' time: there is nothing to wait on. */
        NOT_TOLD(" (this JVM does not tell its compilers' time)"),
        /** Not waited for yet (the sessions' own result). */
        NOT_WAITED("");

        final String inLog;

        Compiler(String inLog) {
            this.inLog = inLog;
        }
    }

    private volatile Result last;

    /** The last warm-up's outcome, or null when none ran. */
    public Result last() {
        return last;
    }

    /**
     * How many sessions the warm-up opens here: the setting, else {@link #DEFAULT_CONNECTIONS} in a single process of a
     * packaged application and none otherwise. A worker does not warm up unless told to: its primary tells the first
     * process of each worker (a share of the default) and one that replaces another in a rolling restart, which takes
     * all that one's clients at once (the default), not one started after a crash. A worker that warms up opens
     * its sessions through its primary's warm-up port ({@link WarmUpRoute}), so that they run the primary's acceptor
     * and hand-off as its clients' connections do: two workers warmed that way (2,000 sessions each) served their first
     * ramp 1.68x as fast as cold ones, against 1.41x for the same warm-up on their own port, for a start of 14 s
     * instead of 2.6 on two CPUs ({@code bench/runs/20261203-warm-up-through-primary}).
     */
    int connections() {
        if (config.warmUp().connections().isPresent()) {
            return config.warmUp().connections().getAsInt();
        }
        return LaunchMode.current() == LaunchMode.NORMAL && identity.role() == ClusterInfo.Role.SINGLE
                ? DEFAULT_CONNECTIONS
                : 0;
    }

    /** Before the HTTP server binds (startup observers run before it does), after the engine's settings are checked. */
    void atStartup(@Observes @Priority(Integer.MAX_VALUE - 100) StartupEvent event) {
        int n = connections();
        if (n <= 0 || identity.role() == ClusterInfo.Role.PRIMARY) {
            return;
        }
        long timeout = config.warmUp().timeout().toMillis();
        // a Vert.x of its own, closed afterwards: the application's reports every HTTP server and client it runs to
        // the metrics (Micrometer's HTTP binder counted the warm-up's requests as the application's); the same
        // transport as the application's, so that the code compiled is the code its connections run
        Vertx own = Vertx.vertx(new VertxOptions().setPreferNativeTransport(vertx.isNativeTransportEnabled())
                .setEventLoopPoolSize(Math.max(1, Runtime.getRuntime().availableProcessors())).setWorkerPoolSize(1));
        int passes = config.warmUp().passes();
        CompilerQueue queue = CompilerQueue.ofThisJvm();
        // the timeout bounds the passes and the waits together, from here
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeout);
        int done = 0;
        int passesDone = 0;
        int failed = 0;
        long sessionMillis = 0;
        long compilerMillis = 0;
        boolean timedOut = false;
        Compiler compiler = Compiler.NOT_WAITED;
        try {
            for (int pass = 0; pass < passes; pass++) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    timedOut = true;
                    break;
                }
                Result sessions = run(own, n, deadline).toCompletionStage().toCompletableFuture()
                        .get(left + SESSION_TIMEOUT_MS + 2000, TimeUnit.MILLISECONDS);
                if (sessions == null) {
                    return;
                }
                passesDone++;
                done += sessions.sessions();
                failed += sessions.failed();
                sessionMillis += sessions.millis();
                timedOut |= sessions.timedOut();
                left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (queue == null) {
                    compiler = Compiler.NOT_TOLD;
                    continue;
                }
                if (left <= 0) {
                    compiler = Compiler.NO_TIME_LEFT;
                    break;
                }
                CompilerQueue.Wait compiled = queue.await(left);
                compilerMillis += compiled.millis();
                compiler = compiled.quiet() ? Compiler.QUIET : Compiler.STILL_COMPILING;
                if (!compiled.quiet()) {
                    break;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (Exception e) {
            // never a reason not to start: the process starts cold
            LOG.warnf("The warm-up of the connection path failed (%s): the process starts without it", e.toString());
            return;
        } finally {
            try {
                own.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                LOG.debugf("the warm-up's Vert.x did not close in time: %s", e.toString());
            }
        }
        last = new Result(done, failed, sessionMillis, timedOut, compilerMillis, compiler, passesDone,
                route.handedOver());
        LOG.infof("Warmed the connection path with %d sessions%s in %d ms%s%s, then waited %d ms for the JIT compiler%s"
                + " (quarkus.socketio.warm-up)", last.sessions(),
                last.passes() > 1 ? " in " + last.passes() + " passes" : "", last.millis(),
                last.timedOut() ? ", cut short by its timeout" : "",
                last.handedOver() > 0 ? ", through the primary's port (" + last.handedOver() + " connections handed over)"
                        : "",
                last.compilerMillis(), last.compiler().inLog);
        if (last.failed() > 0) {
            LOG.warnf("The warm-up of the connection path had %d failed sessions of %d: the process starts anyway",
                    last.failed(), last.sessions());
        }
    }

    /**
     * Opens {@code n} sessions on a private server run by {@code own}, starting none past {@code deadline} (of
     * {@link System#nanoTime}); then closes it.
     */
    Future<Result> run(Vertx own, int n, long deadline) {
        long start = System.nanoTime();
        List<Mix> mixes = mixes();
        if (mixes.isEmpty()) {
            // WebTransport alone: its listener is not the HTTP server's, and it has no warm-up of its own yet
            return Future.succeededFuture(null);
        }
        String path = build.path().endsWith("/") ? build.path() : build.path() + "/";
        EngineServer<Peer> engine = engines.privateServer(path, own, new Answers());
        Router router = Router.router(own);
        router.route(path + "*").handler(engine);
        return own.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0)
                .setPerMessageWebSocketCompressionSupported(true)).requestHandler(router).listen().compose(server -> {
                    route.serving(server);
                    return clients(own, server.actualPort(), path, mixes, deadline).compose(clients -> {
                        List<Future<Void>> lanes = new ArrayList<>();
                        AtomicInteger next = new AtomicInteger(clients.done.get());
                        for (int i = 0; i < Math.min(LANES, n); i++) {
                            lanes.add(clients.lane(next, n));
                        }
                        return Future.join(lanes).map(v -> new Result(clients.done.get(), clients.failed.get(),
                                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start), System.nanoTime() > deadline, 0,
                                Compiler.NOT_WAITED, 1, 0)).eventually(clients::close);
                    }).eventually(() -> {
                        route.serving(null);
                        engine.shutdown();
                        return server.close();
                    });
                });
    }

    /**
     * The clients, through the primary's warm-up port when this worker has one: a first session there shows whether
     * the way works (it counts as one of the warm-up's); when it fails, they connect to the private server's own port.
     */
    private Future<Clients> clients(Vertx own, int privatePort, String path, List<Mix> mixes, long deadline) {
        WarmUpRoute.Via via = route.via();
        if (via == null) {
            return Future.succeededFuture(new Clients(own, privatePort, null, path, mixes, deadline));
        }
        Clients through = new Clients(own, via.port(), via.param(), path, mixes, deadline);
        return through.bounded(mixes.get(0)).map(v -> {
            through.done.incrementAndGet();
            return through;
        }).recover(e -> {
            LOG.infof("The warm-up cannot reach this worker through the primary's port %d (%s): it warms up on its own "
                    + "port, without the primary's acceptor and hand-off", via.port(), e.getMessage());
            return through.close().transform(c -> Future.succeededFuture(
                    new Clients(own, privatePort, null, path, mixes, deadline)));
        });
    }

    /** The ways a client reaches a session that the application allows. */
    private List<Mix> mixes() {
        var options = engines.options();
        boolean ws = options.transports().stream().anyMatch(k -> "websocket".equals(k.name()));
        boolean polling = options.transports().stream().anyMatch(k -> "polling".equals(k.name()));
        List<Mix> mixes = new ArrayList<>();
        if (ws) {
            mixes.add(Mix.WEBSOCKET);
        }
        if (polling) {
            mixes.add(Mix.POLLING);
        }
        if (ws && polling && options.allowUpgrades()) {
            mixes.add(Mix.UPGRADE);
        }
        return mixes;
    }

    enum Mix {
        WEBSOCKET,
        POLLING,
        UPGRADE
    }

    /** What the private server keeps of a session: its decoder. */
    static final class Peer {
        final EngineSession<Peer> session;
        final PacketDecoder decoder;

        Peer(EngineSession<Peer> session, PacketDecoder decoder) {
            this.session = session;
            this.decoder = decoder;
        }
    }

    /** A message's decoding, which may find it malformed. */
    @FunctionalInterface
    private interface Decoding {
        Packet packet() throws ProtocolException;
    }

    /** The private server's side: a CONNECT answered as the server answers it, an event with an id acknowledged. */
    private final class Answers implements SessionHandler<Peer> {

        @Override
        public Peer onOpen(EngineSession<Peer> session) {
            return new Peer(session, json.decoder(4));
        }

        @Override
        public void onMessage(Peer peer, String text) {
            answer(peer, () -> peer.decoder.onText(text));
        }

        @Override
        public void onBinary(Peer peer, Buffer data) {
            answer(peer, () -> peer.decoder.onBinary(data));
        }

        private void answer(Peer peer, Decoding decoding) {
            try {
                answer(peer, decoding.packet());
            } catch (ProtocolException e) {
                peer.session.close("parse error");
            }
        }

        private void answer(Peer peer, Packet packet) {
            if (packet == null) {
                return;
            }
            if (packet.kind() == PacketKind.CONNECT) {
                peer.session.send(json.encoder().connected(packet.namespace(), peer.session.id(), null).messages());
            } else if (packet.kind() == PacketKind.EVENT && packet.hasId()) {
                peer.session.send(json.encoder().ack(packet.namespace(), packet.id(), new Object[] { "ok" }).messages());
            }
        }

        @Override
        public void onClose(Peer peer, String reason) {
        }
    }

    /** The warm-up's clients: {@link #LANES} lanes, each running sessions one after the other. */
    private final class Clients {
        final Vertx vertx;
        final int port;
        final String path;
        final List<Mix> mixes;
        final long deadline;
        final HttpClient http;
        final WebSocketClient ws;
        final AtomicInteger done = new AtomicInteger();
        final AtomicInteger failed = new AtomicInteger();
        final List<EnginePacket> connect = json.encoder().connect("/", null).messages();
        final List<EnginePacket> event = json.encoder().event("/", 1, "warm-up", new Object[] { 1 }).messages();
        /** A query parameter every request carries ({@code name=value}), or null. */
        final String param;

        Clients(Vertx vertx, int port, String param, String path, List<Mix> mixes, long deadline) {
            this.vertx = vertx;
            this.port = port;
            this.param = param;
            this.path = path;
            this.mixes = mixes;
            this.deadline = deadline;
            this.http = vertx.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port)
                    .setMaxPoolSize(LANES * 2));
            this.ws = vertx.createWebSocketClient(new WebSocketClientOptions().setDefaultHost("127.0.0.1")
                    .setDefaultPort(port).setMaxConnections(LANES * 2).setTryUsePerMessageCompression(true));
        }

        Future<Void> lane(AtomicInteger next, int n) {
            int i = next.getAndIncrement();
            if (i >= n || System.nanoTime() > deadline) {
                return Future.succeededFuture();
            }
            return bounded(mixes.get(i % mixes.size())).transform(r -> {
                if (r.succeeded()) {
                    done.incrementAndGet();
                } else {
                    failed.incrementAndGet();
                    LOG.debugf("a warm-up session failed: %s", r.cause());
                }
                return lane(next, n);
            });
        }

        /** One session, failed when it takes longer than {@link #SESSION_TIMEOUT_MS}. */
        Future<Void> bounded(Mix mix) {
            Promise<Void> one = Promise.promise();
            long guard = vertx.setTimer(SESSION_TIMEOUT_MS, t -> one.tryFail("timed out"));
            session(mix).onComplete(r -> {
                vertx.cancelTimer(guard);
                if (r.succeeded()) {
                    one.tryComplete();
                } else {
                    one.tryFail(r.cause());
                }
            });
            return one.future();
        }

        private Future<Void> session(Mix mix) {
            return switch (mix) {
                case WEBSOCKET -> webSocket();
                case POLLING -> polling();
                case UPGRADE -> upgrade();
            };
        }

        private String query(String transport, String sid) {
            return path + "?EIO=4&transport=" + transport + (sid == null ? "" : "&sid=" + sid)
                    + (param == null ? "" : "&" + param);
        }

        Future<Void> close() {
            return Future.join(http.close(), ws.close()).mapEmpty();
        }

        /** WebSocket from the start: open, CONNECT, an event and its acknowledgement, close. */
        private Future<Void> webSocket() {
            return ws.connect(port, "127.0.0.1", query("websocket", null)).compose(socket -> {
                Promise<Void> done = Promise.promise();
                AtomicInteger step = new AtomicInteger();
                socket.textMessageHandler(text -> onWebSocketMessage(socket, step, done));
                socket.binaryMessageHandler(data -> onWebSocketMessage(socket, step, done));
                socket.exceptionHandler(done::tryFail);
                socket.closeHandler(v -> done.tryFail("closed by the server at step " + step.get()));
                return done.future().eventually(() -> socket.close());
            });
        }

        /** The messages of a WebSocket session, in order: the open packet, the CONNECT answer, the acknowledgement. */
        private void onWebSocketMessage(WebSocket socket, AtomicInteger step, Promise<Void> done) {
            switch (step.incrementAndGet()) {
                case 1 -> send(socket, connect);
                case 2 -> send(socket, event);
                default -> done.tryComplete();
            }
        }

        /** Polling only: the handshake, CONNECT posted and its answer polled, an event and its acknowledgement. */
        private Future<Void> polling() {
            return get(query("polling", null)).compose(open -> {
                String sid = sidOf(open);
                String at = query("polling", sid);
                return post(at, connect).compose(v -> get(at)).compose(v -> post(at, event)).compose(v -> get(at))
                        .compose(v -> post(at, List.of(EnginePacket.CLOSE))).mapEmpty();
            });
        }

        /** Polling, then the upgrade to WebSocket with its probe, then an event and its acknowledgement on it. */
        private Future<Void> upgrade() {
            return get(query("polling", null)).compose(open -> {
                String sid = sidOf(open);
                String at = query("polling", sid);
                return post(at, connect).compose(v -> get(at))
                        .compose(v -> ws.connect(port, "127.0.0.1", query("websocket", sid))).compose(socket -> {
                            Promise<Void> done = Promise.promise();
                            AtomicInteger step = new AtomicInteger();
                            socket.textMessageHandler(text -> {
                                switch (step.incrementAndGet()) {
                                    case 1 -> {
                                        // the probe's answer: the upgrade, then the event on the new transport
                                        socket.writeTextMessage("5");
                                        send(socket, event);
                                    }
                                    default -> done.tryComplete();
                                }
                            });
                            socket.binaryMessageHandler(data -> done.tryComplete());
                            socket.exceptionHandler(done::tryFail);
                            socket.closeHandler(v -> done.tryFail("closed by the server during the upgrade"));
                            socket.writeTextMessage("2probe");
                            return done.future().eventually(() -> socket.close());
                        });
            });
        }

        private void send(WebSocket socket, List<EnginePacket> packets) {
            for (EnginePacket p : packets) {
                if (p.isBinary()) {
                    socket.writeBinaryMessage(p.frame());
                } else {
                    socket.writeTextMessage(p.frame().toString());
                }
            }
        }

        private Future<Buffer> get(String uri) {
            return http.request(HttpMethod.GET, uri).compose(req -> req.send()).compose(response -> {
                if (response.statusCode() != 200) {
                    return Future.failedFuture("GET answered " + response.statusCode());
                }
                return response.body();
            });
        }

        private Future<Buffer> post(String uri, List<EnginePacket> packets) {
            StringBuilder payload = new StringBuilder();
            for (EnginePacket p : packets) {
                if (!payload.isEmpty()) {
                    payload.append('\u001e');
                }
                payload.append(p.segment());
            }
            return http.request(new RequestOptions().setMethod(HttpMethod.POST).setURI(uri)
                    .putHeader("content-type", "text/plain;charset=UTF-8"))
                    .compose(req -> req.send(payload.toString())).compose(response -> {
                        if (response.statusCode() != 200) {
                            return Future.failedFuture("POST answered " + response.statusCode());
                        }
                        return response.body();
                    });
        }
    }

    /** The session id of an Engine.IO open packet ({@code 0{"sid":"...",...}}). */
    static String sidOf(Buffer open) {
        String text = open.toString();
        int at = text.indexOf("\"sid\":\"");
        if (at < 0) {
            throw new IllegalStateException("no session id in the open packet: " + text);
        }
        int from = at + 7;
        return text.substring(from, text.indexOf('"', from));
    }
}
