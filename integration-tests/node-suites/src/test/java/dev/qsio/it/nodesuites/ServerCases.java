package dev.qsio.it.nodesuites;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.qsio.ConnectionError;
import dev.qsio.EngineIoEndpoint;
import dev.qsio.EngineIoHandler;
import dev.qsio.EngineIoSocket;
import dev.qsio.EngineListener;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;

/**
 * What the classes of {@code engine.io/test/server.js} share: Node's {@code engine} is a raw Engine.IO endpoint here,
 * {@link Engine} at {@code /eio/}, whose sessions the tests reach by id, as Node's cases reach the {@code conn} of
 * their {@code connection} event; its client is the official Node {@code engine.io-client}, with that path.
 */
abstract class ServerCases extends NodeCases {

    static final String PATH = "/eio/";

    /** The open sessions of the endpoint, by id. */
    static final Map<String, EngineIoSocket> SOCKETS = new ConcurrentHashMap<>();
    /** The transport of each session when it opened. */
    static final Map<String, String> OPENED_ON = new ConcurrentHashMap<>();
    /** What each session received, in order: a {@code String}, or a {@code Buffer} for a binary message. */
    static final Map<String, List<Object>> RECEIVED = new ConcurrentHashMap<>();
    /** Why each session closed. */
    static final Map<String, String> CLOSED = new ConcurrentHashMap<>();
    /**
     * The engine events of each session that a test listens to ({@link #listen}), as {@code "packet message a"},
     * {@code "flush 2"} (the number of packets) or {@code "drain 0"} (the bytes the session still holds).
     */
    static final Map<String, List<String>> EVENTS = new ConcurrentHashMap<>();
    /** When each session listened to sent its first ping ({@link System#nanoTime()}). */
    static final Map<String, Long> FIRST_PING = new ConcurrentHashMap<>();
    /** The requests the engine refused (Node's {@code connection_error}), in order. */
    static final List<ConnectionError> REFUSED = new CopyOnWriteArrayList<>();

    private static final AtomicInteger IDS = new AtomicInteger();

    /**
     * The endpoint: it records what its sessions do. A handshake with {@code initial=<text>} is sent that message as it
     * opens (Node's {@code initialPacket}); one with {@code echo} has its messages sent back; one with {@code listen}
     * has its engine events recorded from its open ({@link #listen}); one with {@code series=<n>} is sent "1" to "n",
     * one every 2 ms from its open.
     */
    @EngineIoEndpoint(PATH)
    public static class Engine implements EngineIoHandler {
        @Override
        public void onOpen(EngineIoSocket socket) {
            OPENED_ON.put(socket.id(), socket.transport());
            RECEIVED.put(socket.id(), new CopyOnWriteArrayList<>());
            SOCKETS.put(socket.id(), socket);
            String initial = socket.request().queryParam("initial");
            if (initial != null) {
                socket.send(initial);
            }
            if (socket.request().queryParam("listen") != null) {
                listen(socket);
            }
            String series = socket.request().queryParam("series");
            if (series != null) {
                sendSeries(socket, Integer.parseInt(series));
            }
        }

        @Override
        public void onMessage(EngineIoSocket socket, String text) {
            RECEIVED.get(socket.id()).add(text);
            if (socket.request().queryParam("echo") != null) {
                socket.send(text);
            }
        }

        @Override
        public void onBinary(EngineIoSocket socket, Buffer data) {
            RECEIVED.get(socket.id()).add(data);
            if (socket.request().queryParam("echo") != null) {
                socket.send(data);
            }
        }

        @Override
        public void onClose(EngineIoSocket socket, String reason) {
            CLOSED.put(socket.id(), reason);
        }
    }

    /** The requests of each {@code rid} that went through {@link HeaderRoutes}: all, and those without a session. */
    static final Map<String, AtomicInteger> REQUESTS = new ConcurrentHashMap<>();
    static final Map<String, AtomicInteger> INITIAL_REQUESTS = new ConcurrentHashMap<>();

    /**
     * Node's {@code engine.on("initial_headers" | "headers", (headers, req) => ...)}: a Vert.x route before the
     * endpoint's (coming-from-node.adoc, Engine hooks). For requests with {@code hdr}: {@code initial} sets
     * {@code test: 123} and a cookie on the answers to handshakes (no {@code sid}), {@code all} on every answer; and
     * each request with a {@code rid} is counted.
     */
    @ApplicationScoped
    static class HeaderRoutes {
        void routes(@Observes Router router) {
            router.route(PATH + "*").order(Integer.MIN_VALUE + 10).handler(ctx -> {
                String hdr = ctx.request().getParam("hdr");
                if (hdr != null) {
                    boolean initial = ctx.request().getParam("sid") == null;
                    String rid = ctx.request().getParam("rid");
                    if (rid != null) {
                        REQUESTS.computeIfAbsent(rid, k -> new AtomicInteger()).incrementAndGet();
                        if (initial) {
                            INITIAL_REQUESTS.computeIfAbsent(rid, k -> new AtomicInteger()).incrementAndGet();
                        }
                    }
                    if (("initial".equals(hdr) && initial) || "all".equals(hdr)) {
                        ctx.response().putHeader("test", "123");
                        ctx.response().headers().add("set-cookie", "mycookie=456");
                    }
                }
                ctx.next();
            });
        }
    }

    @ApplicationScoped
    static class Refusals {
        void refused(@Observes ConnectionError error) {
            REFUSED.add(error);
        }
    }

    /** A client of the endpoint: its id for the driver, and its session's id once open. */
    record Client(String id, String sid) {
    }

    /** Opens an {@code engine.io-client} socket to the endpoint with these options and waits until it is open. */
    Client open(Map<String, Object> options) {
        String id = start(options);
        return new Client(id, driver.await(id, "open").path("sid").asText());
    }

    /** Starts opening a client to the endpoint; its id for the driver. */
    String start(Map<String, Object> options) {
        String id = "e" + IDS.incrementAndGet();
        Map<String, Object> opts = new HashMap<>(options);
        opts.putIfAbsent("path", PATH);
        driver.engineOpen(id, url("/"), opts);
        return id;
    }

    /** The endpoint's session of a client, once its {@code onOpen} ran. */
    static EngineIoSocket socket(String sid) {
        await().atMost(Duration.ofSeconds(10)).until(() -> SOCKETS.containsKey(sid));
        return SOCKETS.get(sid);
    }

    /** Why a session closed, once it did. */
    static String closeReason(String sid) {
        await().atMost(Duration.ofSeconds(10)).until(() -> CLOSED.containsKey(sid));
        return CLOSED.get(sid);
    }

    private static final ScheduledExecutorService PACE = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "server-cases-pace");
        t.setDaemon(true);
        return t;
    });

    static void sendSeries(EngineIoSocket socket, int count) {
        AtomicInteger last = new AtomicInteger();
        ScheduledFuture<?>[] task = new ScheduledFuture<?>[1];
        task[0] = PACE.scheduleAtFixedRate(() -> {
            int n = last.incrementAndGet();
            if (n > count) {
                task[0].cancel(false);
                return;
            }
            socket.send(Integer.toString(n));
        }, 2, 2, TimeUnit.MILLISECONDS);
    }

    /**
     * Sends messages, each with Node's send callback: here {@code drained()}, which completes once what was sent is
     * given to the transport; the number of callbacks run.
     */
    static AtomicInteger sendWithCallbacks(EngineIoSocket socket, String... texts) {
        AtomicInteger called = new AtomicInteger();
        for (String text : texts) {
            socket.send(text);
            socket.drained().subscribe().with(v -> called.incrementAndGet(), failure -> {
            });
        }
        return called;
    }

    /** Records the engine events of a session in {@link #EVENTS}. */
    static EngineIoSocket listen(EngineIoSocket socket) {
        List<String> events = EVENTS.computeIfAbsent(socket.id(), k -> new CopyOnWriteArrayList<>());
        return socket.on(new EngineListener() {
            @Override
            public void upgrade(String transport) {
                events.add("upgrade " + transport);
            }

            @Override
            public void packet(String type, Object data) {
                events.add("packet " + type + (data == null ? "" : " " + data));
            }

            @Override
            public void packetCreate(String type, Object data) {
                if ("ping".equals(type)) {
                    FIRST_PING.putIfAbsent(socket.id(), System.nanoTime());
                }
                events.add("packetCreate " + type + (data == null ? "" : " " + data));
            }

            @Override
            public void flush(int packets) {
                events.add("flush " + packets);
            }

            @Override
            public void drain() {
                // what the session still holds for the client as it drains
                events.add("drain " + socket.bufferedBytes());
            }
        });
    }

    static List<String> events(String sid) {
        return EVENTS.getOrDefault(sid, List.of());
    }

    /** The messages a client received so far, as the driver reports them ({@code data}, {@code kind}). */
    List<JsonNode> messages(String id) {
        return driver.events(id, "message");
    }

    /** The texts of the messages a client received so far. */
    List<String> texts(String id) {
        List<String> texts = new ArrayList<>();
        for (JsonNode m : messages(id)) {
            texts.add(m.path("data").asText());
        }
        return texts;
    }

    /** The refusals so far whose request's path and query contain {@code part}. */
    static List<ConnectionError> refusedWith(String part) {
        return REFUSED.stream().filter(e -> e.path().contains(part)).toList();
    }

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    /** A GET at the endpoint with this query and these headers (name, value, ...), its body as it came. */
    HttpResponse<byte[]> rawGet(String query, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url(PATH) + "?" + query))
                .timeout(Duration.ofSeconds(20)).GET();
        if (headers.length > 0) {
            b.headers(headers);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    /** Node's {@code eioHandshake} at the endpoint, raw: the response, whose body is the open packet. */
    HttpResponse<byte[]> rawHandshake(String... headers) throws Exception {
        HttpResponse<byte[]> res = rawGet("EIO=4&transport=polling", headers);
        assertThat(res.statusCode()).isEqualTo(200);
        return res;
    }

    /** The session id of a handshake's response. */
    static String sidOf(HttpResponse<byte[]> handshake) throws Exception {
        String body = new String(handshake.body(), StandardCharsets.UTF_8);
        assertThat(body).startsWith("0{");
        return new ObjectMapper().readTree(body.substring(1)).path("sid").asText();
    }

    /** Bytes 0, 1, 2, ... as Node's cases fill their buffers ({@code i % 0xff}). */
    static Buffer bytes(int length) {
        Buffer b = Buffer.buffer(length);
        for (int i = 0; i < length; i++) {
            b.appendByte((byte) (i % 0xff));
        }
        return b;
    }

    /** A driver command on an engine client (see {@code driver.mjs}: {@code eio.mute}, {@code eio.deafen}, ...). */
    void command(String op, String id) {
        driver.send(driver.command(op, id));
    }
}
