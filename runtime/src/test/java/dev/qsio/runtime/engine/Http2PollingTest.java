package dev.qsio.runtime.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.ext.web.Router;

/**
 * A polling session over HTTP/2 (cleartext with prior knowledge, and TLS with ALPN, as browsers speak it) while the
 * application sends to it from a thread of its own. Vert.x runs an HTTP/2 request's handler while it holds the
 * connection's monitor, and a send holds the session's: a send that answered the parked GET from its own thread waited
 * for the connection's monitor while the connection's event loop, in the handler of the session's next request (a
 * POST of the same connection), waited for the session's. Both stood still for good; a fresh-clone CI saw it as a
 * worker whose two event loops were blocked (MultiHostIT, whose JDK client speaks h2c). A GET is now answered on its
 * connection's own loop.
 * <p>
 * One HTTP/2 connection carries the session's GETs and, beside them all the time, its POSTs (one after the other); a thread of the
 * test sends messages as fast as the client takes them. Checked: every message arrives, in order, and no two threads
 * of the process are ever deadlocked on monitors.
 */
class Http2PollingTest {

    private static final Pattern SID = Pattern.compile("\"sid\":\"([^\"]+)\"");
    private static final int MESSAGES = 20_000;

    private Vertx serverVertx;
    private Vertx clientVertx;
    private Thread sender;
    private final AtomicBoolean stopping = new AtomicBoolean();

    @AfterEach
    void stop() throws Exception {
        stopping.set(true);
        if (sender != null) {
            sender.interrupt();
            sender.join(10_000);
        }
        if (clientVertx != null) {
            clientVertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        if (serverVertx != null) {
            serverVertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = { "h2c", "h2" })
    void aSessionPolledOverHttp2TakesEveryMessageSentFromAnotherThread(String protocol, @TempDir Path dir)
            throws Exception {
        boolean tls = protocol.equals("h2");
        serverVertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
        EngineServer<String> engine = new EngineServer<>("/engine.io/", serverVertx, TestOptions.defaults(),
                new SessionIds(reason -> {
                }), null, OtherServers.Factory.NONE, refused -> {
                });
        Router router = Router.router(serverVertx);
        router.route("/engine.io/*").handler(engine);
        HttpServerOptions serverOptions = new HttpServerOptions();
        if (tls) {
            certificate(dir);
            serverOptions.setSsl(true).setUseAlpn(true).setKeyCertOptions(new PemKeyCertOptions()
                    .setCertPath(dir.resolve("cert.pem").toString()).setKeyPath(dir.resolve("key.pem").toString()));
        }
        HttpServer http = serverVertx.createHttpServer(serverOptions).requestHandler(router).listen(0, "127.0.0.1")
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);

        clientVertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
        HttpClientOptions clientOptions = new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
                .setHttp2ClearTextUpgrade(false).setHttp2MaxPoolSize(1).setHttp2MultiplexingLimit(100)
                .setDefaultHost("127.0.0.1").setDefaultPort(http.actualPort());
        if (tls) {
            clientOptions.setSsl(true).setUseAlpn(true).setTrustAll(true).setVerifyHost(false);
        }
        HttpClient client = clientVertx.createHttpClient(clientOptions);

        String open = request(client, HttpMethod.GET, "", null);
        Matcher m = SID.matcher(open);
        assertThat(m.find()).as("a handshake's answer (%s)", open).isTrue();
        String sid = m.group(1);
        String session = "&sid=" + sid;
        EngineSession<String> engineSession = engine.session(sid);
        assertThat(engineSession).isNotNull();

        AtomicInteger received = new AtomicInteger();
        AtomicReference<String> failure = new AtomicReference<>();
        AtomicReference<String> version = new AtomicReference<>();
        // the GETs, one after the other
        clientVertx.runOnContext(v -> poll(client, session, received, failure, version));
        // the POSTs beside them, on the same connection (one at a time: a second one at once would end the session)
        clientVertx.runOnContext(v -> post(client, session, failure));
        // the application's thread: each message once the client is less than 100 behind
        sender = new Thread(() -> {
            for (int i = 0; i < MESSAGES && !stopping.get(); i++) {
                while (i - received.get() >= 100 && !stopping.get()) {
                    Thread.onSpinWait();
                }
                engineSession.send("m" + i);
            }
        }, "application-sender");
        sender.start();

        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200))
                // (Awaitility keeps one fail-fast condition: the last one given)
                .failFast("threads deadlocked on monitors, or a request failed", () -> {
                    assertThat(blocked(threads)).as("threads deadlocked on monitors").isEqualTo("none");
                    assertThat(failure.get()).as("a request failed").isNull();
                })
                .untilAsserted(() -> assertThat(received.get()).as("messages received in order").isEqualTo(MESSAGES));
        assertThat(version.get()).isEqualTo("HTTP_2");
        assertThat(failure.get()).isNull();
    }

    /** One GET after another, each checking that its messages continue the sequence. */
    private void poll(HttpClient client, String session, AtomicInteger received, AtomicReference<String> failure,
            AtomicReference<String> version) {
        if (stopping.get() || received.get() >= MESSAGES) {
            return;
        }
        client.request(new RequestOptions().setMethod(HttpMethod.GET).setURI(uri(session)))
                .compose(req -> req.send().compose(res -> {
                    version.set(res.version().name());
                    if (res.statusCode() != 200) {
                        failure.compareAndSet(null, "GET answered " + res.statusCode());
                    }
                    return res.body();
                })).onSuccess(body -> {
                    for (String packet : body.toString().split("\u001e")) {
                        if (packet.startsWith("4")) {
                            int expected = received.get();
                            if (!packet.equals("4m" + expected)) {
                                failure.compareAndSet(null, "expected 4m" + expected + ", got " + packet);
                                return;
                            }
                            received.incrementAndGet();
                        }
                    }
                    poll(client, session, received, failure, version);
                }).onFailure(e -> {
                    if (!stopping.get()) {
                        failure.compareAndSet(null, "GET failed: " + e);
                    }
                });
    }

    /** POSTs of a message the application ignores, one after the other, all the time. */
    private void post(HttpClient client, String session, AtomicReference<String> failure) {
        if (stopping.get() || failure.get() != null) {
            return;
        }
        client.request(new RequestOptions().setMethod(HttpMethod.POST).setURI(uri(session)))
                .compose(req -> req.send(Buffer.buffer("4x"))
                        .compose(res -> res.body().map(b -> res.statusCode() + " " + b)))
                .onComplete(r -> {
                    if (r.succeeded() && r.result().equals("200 ok")) {
                        post(client, session, failure);
                    } else if (!stopping.get()) {
                        failure.compareAndSet(null, "POST: " + (r.succeeded() ? r.result() : r.cause()));
                    }
                });
    }

    private static String uri(String session) {
        return "/engine.io/?EIO=4&transport=polling" + session;
    }

    private static String request(HttpClient client, HttpMethod method, String session, String body) throws Exception {
        return client.request(new RequestOptions().setMethod(method).setURI(uri(session)))
                .compose(req -> (body == null ? req.send() : req.send(body)).compose(res -> res.body()))
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).toString();
    }

    private static void certificate(Path dir) throws Exception {
        Process p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", "key.pem", "-out", "cert.pem", "-days", "2",
                "-subj", "/CN=localhost").directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0).as("openssl: " + output).isTrue();
        assertThat(Files.isRegularFile(dir.resolve("key.pem"))).isTrue();
    }

    /** For a failure's message: the threads blocked on monitors, with what they wait for. */
    static String blocked(ThreadMXBean threads) {
        long[] ids = threads.findMonitorDeadlockedThreads();
        if (ids == null) {
            return "none";
        }
        return Arrays.stream(threads.getThreadInfo(ids, true, false)).map(ThreadInfo::toString)
                .collect(Collectors.joining("\n"));
    }
}
