package dev.qsio.bench;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;

/**
 * The load generator: many {@link Conn}s on a few event loops, all in this process, so that a publisher's send
 * time and a receiver's receipt time come from the same clock. Connections are spread over several loopback source
 * addresses so that tens of thousands of them never run out of ephemeral ports.
 */
final class Generator implements AutoCloseable {

    private static final String PATH = "/socket.io/?EIO=4&transport=websocket";

    final Vertx vertx;
    private final WebSocketClient[] clients;
    private final AtomicInteger next = new AtomicInteger();
    private final int connectTimeoutMs;

    final Sink fanout = new Sink();
    final Sink acks = new Sink();
    final Sink crossWorker = new Sink();
    final Sink sameWorker = new Sink();
    final LongAdder unexpectedCloses = new LongAdder();

    private int port;
    /** Whether the target is reached on WebTransport (at its HTTP port's number, on UDP) rather than WebSocket. */
    private boolean webTransport;
    private WebTransportClient wt;
    private final int eventLoops;

    Generator(int eventLoops, int sourceAddresses, int connectTimeoutMs) {
        this.connectTimeoutMs = connectTimeoutMs;
        this.eventLoops = eventLoops;
        vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(eventLoops).setPreferNativeTransport(true)
                .setBlockedThreadCheckInterval(10_000));
        clients = new WebSocketClient[sourceAddresses];
        for (int i = 0; i < sourceAddresses; i++) {
            clients[i] = vertx.createWebSocketClient(new WebSocketClientOptions()
                    .setLocalAddress("127.0.0." + (i + 1))
                    .setMaxConnections(1_000_000)
                    .setConnectTimeout(connectTimeoutMs)
                    .setTcpNoDelay(true)
                    .setMaxFrameSize(1 << 20)
                    .setMaxMessageSize(1 << 20)
                    .setTryUsePerMessageCompression(false));
        }
    }

    void target(int port) {
        target(port, false);
    }

    /** The target's port; its WebTransport sessions on the UDP port of that number when {@code webTransport}. */
    void target(int port, boolean webTransport) {
        this.port = port;
        this.webTransport = webTransport;
        if (webTransport && wt == null) {
            try {
                wt = new WebTransportClient(vertx, eventLoops);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    /** Opens a connection and completes once the server has answered the namespace CONNECT. */
    Future<Conn> connect() {
        return connect(webTransport);
    }

    /**
     * Opens a connection on WebTransport or on WebSocket (a WebTransport target serves both), and completes once the
     * server has answered the namespace CONNECT.
     */
    Future<Conn> connect(boolean onWebTransport) {
        Conn conn;
        if (onWebTransport) {
            conn = new Conn(this);
            wt.connect(conn, port);
        } else {
            WebSocketClient client = clients[Math.floorMod(next.getAndIncrement(), clients.length)];
            ClientWebSocket ws = client.webSocket();
            conn = new Conn(this, ws);
            ws.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI(PATH))
                    .onComplete(ar -> {
                        if (ar.succeeded()) {
                            conn.upgraded = true;
                        } else {
                            conn.connected.tryFail(ar.cause());
                        }
                    });
        }
        long timer = vertx.setTimer(connectTimeoutMs + 5_000L,
                t -> conn.connected.tryFail("no namespace CONNECT within the timeout (" + conn.state() + ")"));
        return conn.connected.future().onComplete(ar -> {
            vertx.cancelTimer(timer);
            if (ar.failed()) {
                conn.close();
            }
        });
    }

    /**
     * What a ramp of connections achieved. The rate is that of the first pass (its handshakes that succeeded, up to the
     * last of them): the connections that failed are opened again afterwards, untimed, so that a handshake that never
     * completes (counted in {@code failures}) does not stretch the rate by the connect timeout.
     */
    record Ramp(List<Conn> conns, int failures, double seconds, double perSecond, List<Integer> perTenthSecond) {
    }

    /**
     * Opens {@code n} connections with at most {@code inFlight} handshakes at a time, then opens again those that
     * failed (a few passes); measures handshakes per second over the first pass.
     */
    Ramp ramp(int n, int inFlight) throws InterruptedException {
        ConcurrentLinkedQueue<Conn> opened = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Long> doneAt = new ConcurrentLinkedQueue<>();
        AtomicLong failures = new AtomicLong();
        Semaphore window = new Semaphore(inFlight);
        long start = System.nanoTime();
        int firstPass = 0;
        for (int round = 0; round < 4 && opened.size() < n; round++) {
            int wanted = n - opened.size();
            boolean timed = round == 0;
            for (int i = 0; i < wanted; i++) {
                window.acquire();
                connect().onComplete(ar -> {
                    if (ar.succeeded()) {
                        opened.add(ar.result());
                        if (timed) {
                            doneAt.add(System.nanoTime());
                        }
                    } else {
                        failures.incrementAndGet();
                    }
                    window.release();
                });
            }
            window.acquire(inFlight);
            window.release(inFlight);
            if (timed) {
                firstPass = doneAt.size();
            }
        }
        long last = doneAt.stream().mapToLong(Long::longValue).max().orElse(System.nanoTime());
        double seconds = (last - start) / 1e9;
        List<Integer> series = new ArrayList<>(Collections.nCopies((int) Math.ceil(seconds * 10) + 1, 0));
        for (long t : doneAt) {
            int slot = (int) ((t - start) / 100_000_000L);
            series.set(slot, series.get(slot) + 1);
        }
        return new Ramp(new ArrayList<>(opened), (int) failures.get(), seconds, firstPass / seconds, series);
    }

    /** Sends the same event with an acknowledgement on every connection, at most {@code inFlight} at a time. */
    List<String> requestAll(List<Conn> conns, String event, int inFlight) throws Exception {
        Semaphore window = new Semaphore(inFlight);
        List<CompletableFuture<String>> answers = new ArrayList<>();
        for (Conn c : conns) {
            window.acquire();
            answers.add(c.request(event).onComplete(ar -> window.release()).toCompletionStage().toCompletableFuture());
        }
        CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        return answers.stream().map(CompletableFuture::join).toList();
    }

    /** Closes connections and waits until the server has closed them too. */
    static void closeAll(List<Conn> conns) throws Exception {
        List<CompletableFuture<Void>> closed = new ArrayList<>();
        for (Conn c : conns) {
            closed.add(c.close().toCompletionStage().toCompletableFuture());
        }
        try {
            CompletableFuture.allOf(closed.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            // a server that never answers the close is the server's problem, not a reason to stop the run
        }
    }

    /** CPU seconds used by this process (the generator and the harness around it) so far. */
    static double cpuSeconds() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime() / 1e9;
    }

    @Override
    public void close() {
        if (wt != null) {
            wt.close();
        }
        vertx.close().toCompletionStage().toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).exceptionally(e -> null)
                .join();
    }
}
