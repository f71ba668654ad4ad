package dev.qsio.it.nodesuites;

import static dev.qsio.it.nodesuites.ServerCases.OPENED_ON;
import static dev.qsio.it.nodesuites.ServerCases.PATH;
import static dev.qsio.it.nodesuites.ServerCases.RECEIVED;
import static dev.qsio.it.nodesuites.ServerCases.SOCKETS;
import static dev.qsio.it.nodesuites.ServerCases.bytes;
import static dev.qsio.it.nodesuites.ServerCases.closeReason;
import static dev.qsio.it.nodesuites.ServerCases.events;
import static dev.qsio.it.nodesuites.ServerCases.sendWithCallbacks;
import static dev.qsio.it.nodesuites.ServerCases.socket;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.qsio.it.support.ClientDriver;
import dev.qsio.it.support.ScriptProcess;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.vertx.core.buffer.Buffer;

/**
 * {@code engine.io/test/webtransport.mjs}: Node's cases write and read Engine.IO's frames themselves on a WebTransport
 * session (with the {@code @fails-components/webtransport} client for Node, which cannot be installed here); the client
 * here is the one users have, Chromium's {@code WebTransport}, in one headless page for every case
 * ({@code browser-raw-webtransport.mjs}), pinning the application's certificate. Node's {@code engine} is the raw
 * Engine.IO endpoint of {@link ServerCases} at {@code /eio/}, its sessions found by the {@code rid} of the session's
 * URL. Node's cases set their heartbeat and upgrade timeout each (20 to 50 ms); here one application has a ping interval
 * of 400 ms, a ping timeout of 1.5 s and an upgrade timeout of 500 ms, and the page answers the pings of a session
 * (a ping is not reported to the case) unless the case reads them itself.
 */
@QuarkusTest
@TestProfile(WebTransportCasesTest.OnWebTransport.class)
@NodeFile("engine.io/test/webtransport.mjs")
class WebTransportCasesTest {

    static final long PING_INTERVAL = 400;
    static final long PING_TIMEOUT = 1500;
    static final long UPGRADE_TIMEOUT = 500;

    /**
     * WebTransport beside polling and WebSocket, on a free UDP port of the loopback, with an ECDSA certificate valid
     * 10 days (what Chromium pins); any origin, as the page is on the application's HTTP port.
     */
    public static class OnWebTransport implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Path[] pem = certificate();
            Map<String, String> config = new HashMap<>();
            config.put("quarkus.socketio.transports", "polling,websocket,webtransport");
            config.put("quarkus.socketio.webtransport.host", "127.0.0.1");
            config.put("quarkus.socketio.webtransport.port", Integer.toString(freeUdpPort()));
            config.put("quarkus.socketio.webtransport.certificate-file", pem[0].toString());
            config.put("quarkus.socketio.webtransport.key-file", pem[1].toString());
            config.put("quarkus.socketio.ping-interval", PING_INTERVAL + "ms");
            config.put("quarkus.socketio.ping-timeout", PING_TIMEOUT + "ms");
            config.put("quarkus.socketio.upgrade-timeout", UPGRADE_TIMEOUT + "ms");
            config.put("quarkus.socketio.cors.origins", "*");
            // without the module's engine middlewares, which would refuse every WebTransport session
            config.put("node-suites.engine-middlewares", "false");
            return config;
        }

        static int freeUdpPort() {
            try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
                return s.getLocalPort();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        static Path[] certificate() {
            try {
                Path dir = Files.createTempDirectory("qsio-wt-cases");
                Path cert = dir.resolve("cert.pem");
                Path key = dir.resolve("key.pem");
                Process openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                        "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key.toString(), "-out", cert.toString(),
                        "-days", "10", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1")
                        .redirectErrorStream(true).start();
                String output = new String(openssl.getInputStream().readAllBytes());
                if (openssl.waitFor() != 0) {
                    throw new IllegalStateException("openssl: " + output);
                }
                return new Path[] { cert, key };
            } catch (IOException e) {
                throw new IllegalStateException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    @TestHTTPResource("/")
    URL root;

    /** The page, started with the first case and kept for the others. */
    static ScriptProcess page;

    private static final AtomicInteger IDS = new AtomicInteger();

    @BeforeEach
    void startPage() throws Exception {
        if (page != null) {
            return;
        }
        page = startPage(root);
    }

    /**
     * The page of {@code browser-raw-webtransport.mjs} for the application's WebTransport port and certificate (its
     * SHA-256, which the page pins), ready; on a page of the application's origin: a 404 document, enough for a
     * secure context.
     */
    static ScriptProcess startPage(URL root) throws Exception {
        var config = ConfigProvider.getConfig();
        int port = config.getValue("quarkus.socketio.webtransport.port", Integer.class);
        String certificate = config.getValue("quarkus.socketio.webtransport.certificate-file", String.class);
        String hash;
        try (InputStream in = Files.newInputStream(Path.of(certificate))) {
            X509Certificate x509 = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
            hash = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(x509.getEncoded()));
        }
        ScriptProcess started = ScriptProcess.start("browser-raw-webtransport.mjs", root + "webtransport-cases",
                "https://127.0.0.1:" + port + PATH, hash);
        started.next("ready");
        return started;
    }

    @AfterEach
    void closeSessions() throws Exception {
        if (page != null) {
            run(Map.of("op", "closeAll"));
        }
    }

    @AfterAll
    static void stopPage() {
        if (page != null) {
            page.close();
            page = null;
        }
    }

    /** Runs a command in the page; its answer. */
    static JsonNode run(Map<String, Object> command) throws IOException {
        return page.ask(ClientDriver.JSON.writeValueAsString(command), "done");
    }

    /** A client of the page, named by the {@code rid} of its session's URL. */
    static String client() {
        return "w" + IDS.incrementAndGet();
    }

    /** Opens a session with these options (see the script), its URL's query naming it; the page's answer. */
    static JsonNode open(String id, Map<String, Object> options) throws IOException {
        Map<String, Object> command = new HashMap<>(options);
        command.put("op", "open");
        command.put("id", id);
        command.put("query", "rid=" + id + "&listen=1");
        JsonNode opened = run(command);
        assertThat(opened.path("ready").asBoolean()).as("the session opened: %s", opened).isTrue();
        return opened;
    }

    /**
     * Node's {@code setup}: a session, its stream, and the client's OPEN, answered by the server's; the session's id,
     * once the endpoint has it.
     */
    static String setup(String id, Map<String, Object> options) throws IOException {
        String handshake = open(id, options).path("handshake").path("text").asText();
        assertThat(handshake).startsWith("0{");
        String sid = ClientDriver.JSON.readTree(handshake.substring(1)).path("sid").asText();
        socket(sid);
        return sid;
    }

    static String setup(String id) throws IOException {
        return setup(id, Map.of());
    }

    static void write(String id, Object... chunks) throws IOException {
        run(Map.of("op", "write", "id", id, "chunks", List.of(chunks)));
    }

    /** The next frame the server wrote to the client (not a ping the page answered). */
    static JsonNode next(String id) throws IOException {
        return run(Map.of("op", "next", "id", id, "ms", 10_000));
    }

    /** How the client's session ended, once it has (within 10 s): {@code settled} is null while it is open. */
    static JsonNode ended(String id) throws IOException {
        return run(Map.of("op", "closed", "id", id, "ms", 10_000));
    }

    static void assertEnded(String id) throws IOException {
        JsonNode end = ended(id);
        assertThat(end.path("settled").isNull()).as("the session ended: %s", end).isFalse();
    }

    /**
     * The server ended the client's session as draft-ietf-webtrans-http3 says, with a CLOSE_WEBTRANSPORT_SESSION
     * capsule and the FIN of its CONNECT stream: the browser's {@code WebTransport.closed} resolves with the capsule's
     * code (0) and message. A QUIC connection closed at once made it reject with "Connection lost".
     */
    static void assertClosedCleanly(String id, String message) throws IOException {
        JsonNode end = ended(id);
        assertThat(end.path("settled").asText()).as("the session ended cleanly: %s", end).isEqualTo("resolved");
        assertThat(end.path("closeCode").asInt(-1)).as("%s", end).isZero();
        assertThat(end.path("reason").asText()).as("%s", end).isEqualTo(message);
    }

    static List<Integer> header(JsonNode frame) {
        List<Integer> header = new ArrayList<>();
        frame.path("header").forEach(b -> header.add(b.asInt()));
        return header;
    }

    /** Whether the endpoint opened a session for the client {@code id}. */
    static boolean opened(String id) {
        return SOCKETS.values().stream().anyMatch(s -> id.equals(s.request().queryParam("rid")));
    }

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    /** Node's polling handshake at the endpoint; the open packet's JSON. */
    JsonNode pollingHandshake(String id) throws Exception {
        HttpResponse<String> res = HTTP.send(HttpRequest.newBuilder(URI.create(root + PATH.substring(1)
                + "?EIO=4&transport=polling&listen=1&rid=" + id)).timeout(Duration.ofSeconds(20)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.body()).startsWith("0{");
        return ClientDriver.JSON.readTree(res.body().substring(1));
    }

    /** A packet's text as the client writes it: its header (its length, under 126 bytes), then the packet. */
    static Object[] frame(String packet) {
        int length = packet.getBytes(StandardCharsets.UTF_8).length;
        assertThat(length).isLessThan(126);
        return new Object[] { List.of(length), packet };
    }

    static Object[] concat(Object[]... frames) {
        List<Object> all = new ArrayList<>();
        for (Object[] f : frames) {
            all.addAll(List.of(f));
        }
        return all.toArray();
    }

    @Test
    @NodeCase("WebTransport > should allow to connect with WebTransport directly")
    void aClientOpensItsSessionOnWebTransport() throws Exception {
        String id = client();
        JsonNode handshake = open(id, Map.of()).path("handshake");
        String text = handshake.path("text").asText();
        // the server's OPEN, behind a header that says its length (Node's 107 is the length of its own)
        assertThat(text).startsWith("0{");
        assertThat(handshake.path("binary").asBoolean()).isFalse();
        assertThat(header(handshake)).containsExactly(text.getBytes(StandardCharsets.UTF_8).length);
        JsonNode open = ClientDriver.JSON.readTree(text.substring(1));
        assertThat(open.path("upgrades").toString()).isEqualTo("[]");
        String sid = open.path("sid").asText();
        socket(sid);
        assertThat(OPENED_ON.get(sid)).isEqualTo("webtransport");
        assertThat(SOCKETS.get(sid).transport()).isEqualTo("webtransport");
    }

    @Test
    @NodeCase("WebTransport > should allow to upgrade to WebTransport")
    void aPollingSessionUpgradesToWebTransport() throws Exception {
        String id = client();
        JsonNode handshake = pollingHandshake(id);
        assertThat(handshake.path("upgrades").toString()).isEqualTo("[\"websocket\",\"webtransport\"]");
        String sid = handshake.path("sid").asText();
        socket(sid);
        // the upgrading OPEN, the probe and the upgrade, as Node's case writes them at once
        open(id, Map.of("handshake", false, "writes",
                Arrays.asList(concat(frame("0{\"sid\":\"" + sid + "\"}"), frame("2probe"), frame("5")))));
        JsonNode probe = next(id);
        assertThat(header(probe)).containsExactly(6);
        assertThat(probe.path("text").asText()).isEqualTo("3probe");
        await().atMost(Duration.ofSeconds(10)).until(() -> events(sid).contains("upgrade webtransport"));
        assertThat(SOCKETS.get(sid).transport()).isEqualTo("webtransport");
        assertThat(SOCKETS.get(sid).isOpen()).isTrue();
    }

    @Test
    @NodeCase("WebTransport > should close a connection that fails to open a bidirectional stream")
    void aSessionWithoutAStreamIsClosedAfterTheUpgradeTimeout() throws Exception {
        String id = client();
        open(id, Map.of("stream", false));
        JsonNode end = ended(id);
        assertClosedCleanly(id, "no OPEN packet within upgrade-timeout");
        // by the server's upgrade timeout, not at once (the page's clock starts as the server's answer reaches it)
        assertThat(end.path("afterReady").asLong()).as("%s", end).isGreaterThanOrEqualTo(UPGRADE_TIMEOUT / 2);
        assertThat(opened(id)).isFalse();
    }

    @Test
    @NodeCase("WebTransport > should close a connection that sends an invalid handshake")
    void aStreamThatDoesNotStartWithAnOpenIsClosed() throws Exception {
        String id = client();
        open(id, Map.of("handshake", false));
        // a frame of one byte, 0x02, which is no Engine.IO packet, then a byte more
        write(id, List.of(1, 2, 3));
        assertClosedCleanly(id, "parse error");
        assertThat(opened(id)).isFalse();
    }

    @Test
    @NodeCase("WebTransport > should close a connection that sends an invalid upgrade")
    void anUpgradeForAnUnknownSessionIsClosed() throws Exception {
        anUpgradeIsClosed("0{\"sid\":\"11111111111111111111\"}");
    }

    @Test
    @NodeCase("WebTransport > should close a connection that sends an invalid upgrade (bis)")
    void anUpgradeForAPrototypesPropertyIsClosed() throws Exception {
        anUpgradeIsClosed("0{\"sid\":\"__proto__\"}");
    }

    /** As Node's invalid upgrades: a polling session is open, and a WebTransport session sends this OPEN first. */
    void anUpgradeIsClosed(String openPacket) throws Exception {
        String id = client();
        assertThat(pollingHandshake(id).path("upgrades").toString()).isEqualTo("[\"websocket\",\"webtransport\"]");
        open(id, Map.of("handshake", false));
        write(id, frame(openPacket));
        assertClosedCleanly(id, "unknown session");
    }

    @Test
    @NodeCase("WebTransport > should send ping/pong packets")
    void theServerPingsAndTheClientPongs() throws Exception {
        String id = client();
        String sid = setup(id, Map.of("pong", false));
        for (int i = 0; i < 5; i++) {
            JsonNode ping = next(id);
            assertThat(header(ping)).containsExactly(1);
            assertThat(ping.path("text").asText()).isEqualTo("2");
            write(id, frame("3"));
        }
        await().atMost(Duration.ofSeconds(10))
                .until(() -> events(sid).stream().filter("packet pong"::equals).count() == 5);
        assertThat(SOCKETS.get(sid).isOpen()).isTrue();
    }

    @Test
    @NodeCase("WebTransport > should close on ping timeout")
    void aClientThatDoesNotPongIsTimedOut() throws Exception {
        String id = client();
        String sid = setup(id, Map.of("pong", false));
        assertThat(closeReason(sid)).isEqualTo("ping timeout");
        assertClosedCleanly(id, "");
    }

    @Test
    @NodeCase("WebTransport > should handle connections closed by the server")
    void theServerClosesTheSession() throws Exception {
        String id = client();
        String sid = setup(id);
        SOCKETS.get(sid).close();
        assertClosedCleanly(id, "");
        assertThat(closeReason(sid)).isEqualTo("forced close");
    }

    @Test
    @NodeCase("WebTransport > should handle connections closed by the client")
    void theClientClosesTheSession() throws Exception {
        String id = client();
        String sid = setup(id);
        run(Map.of("op", "close", "id", id));
        assertThat(closeReason(sid)).isEqualTo("transport close");
    }

    @Test
    @NodeCase("WebTransport > should send some plaintext data (client to server)")
    void textFromTheClient() throws Exception {
        String id = client();
        String sid = setup(id);
        write(id, frame("4hello"));
        await().atMost(Duration.ofSeconds(10)).until(() -> !RECEIVED.get(sid).isEmpty());
        assertThat(RECEIVED.get(sid)).containsExactly("hello");
    }

    @Test
    @NodeCase("WebTransport > should send some plaintext data (server to client)")
    void textFromTheServer() throws Exception {
        String id = client();
        String sid = setup(id);
        SOCKETS.get(sid).send("hello");
        JsonNode message = next(id);
        assertThat(header(message)).containsExactly(6);
        assertThat(message.path("text").asText()).isEqualTo("4hello");
    }

    /** Node's send callback is {@code drained()} here, as in {@code server.js}'s callback cases. */
    @Test
    @NodeCase("WebTransport > should invoke send callbacks (server to client)")
    void theSendCallbacksRun() throws Exception {
        String id = client();
        String sid = setup(id);
        AtomicInteger called = sendWithCallbacks(SOCKETS.get(sid), "hello", "hello", "hello", "hello");
        await().atMost(Duration.ofSeconds(10)).until(() -> called.get() == 4);
        for (int i = 0; i < 4; i++) {
            assertThat(next(id).path("text").asText()).isEqualTo("4hello");
        }
    }

    @Test
    @NodeCase("WebTransport > should send some binary data (client to server)")
    void bytesFromTheClient() throws Exception {
        String id = client();
        String sid = setup(id);
        write(id, List.of(131), List.of(1, 2, 3));
        await().atMost(Duration.ofSeconds(10)).until(() -> !RECEIVED.get(sid).isEmpty());
        assertThat(RECEIVED.get(sid)).containsExactly(Buffer.buffer(new byte[] { 1, 2, 3 }));
    }

    @Test
    @NodeCase("WebTransport > should send some binary data (server to client)")
    void bytesFromTheServer() throws Exception {
        String id = client();
        String sid = setup(id);
        SOCKETS.get(sid).send(Buffer.buffer(new byte[] { 1, 2, 3 }));
        JsonNode message = next(id);
        assertThat(header(message)).containsExactly(131);
        assertThat(message.path("binary").asBoolean()).isTrue();
        assertThat(message.path("bytes").toString()).isEqualTo("[1,2,3]");
    }

    /** 1,000,000 bytes: a header of 9 bytes (127 and a 64-bit length, the top bit for binary). */
    static final List<Integer> BIG_HEADER = List.of(255, 0, 0, 0, 0, 0, 15, 66, 64);

    @Test
    @NodeCase("WebTransport > should send some big binary data (client to server)")
    void aMegabyteFromTheClient() throws Exception {
        String id = client();
        String sid = setup(id);
        write(id, BIG_HEADER, Map.of("pattern", 1_000_000));
        await().atMost(Duration.ofSeconds(20)).until(() -> !RECEIVED.get(sid).isEmpty());
        assertThat(RECEIVED.get(sid)).hasSize(1);
        Buffer received = (Buffer) RECEIVED.get(sid).get(0);
        assertThat(received.length()).isEqualTo(1_000_000);
        assertThat(received.equals(bytes(1_000_000))).as("the bytes the page wrote").isTrue();
    }

    /** Node also checks how its server cuts the payload into chunks, which it says is its implementation's own. */
    @Test
    @NodeCase("WebTransport > should send some big binary data (server to client)")
    void aMegabyteFromTheServer() throws Exception {
        String id = client();
        String sid = setup(id);
        Buffer payload = bytes(1_000_000);
        SOCKETS.get(sid).send(payload);
        JsonNode message = next(id);
        assertThat(header(message)).isEqualTo(BIG_HEADER);
        assertThat(message.path("binary").asBoolean()).isTrue();
        assertThat(message.path("length").asInt()).isEqualTo(1_000_000);
        assertThat(message.path("sha256").asText())
                .isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(payload.getBytes())));
    }
}
