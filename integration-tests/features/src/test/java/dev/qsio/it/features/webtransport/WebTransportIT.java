package dev.qsio.it.features.webtransport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.qsio.it.support.ClientDriver;
import dev.qsio.it.support.ClusterProcess;
import dev.qsio.it.support.ScriptProcess;

/**
 * Engine.IO over WebTransport with the clients users run: Debian's Chromium, headless, on the official browser client
 * the server serves, pinning the test's certificate with {@code serverCertificateHashes} (an ECDSA certificate valid
 * for 10 days, as the browser requires of a pinned one). Tabs connect on WebTransport alone and by upgrading from
 * polling; each checks an acknowledgement and a binary round trip, joins a room and receives a burst of numbered
 * broadcasts in order. A page that writes a malformed frame on a session of its own has that session closed, and the
 * others go on.
 */
class WebTransportIT {

    static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar");

    static String certificateHash;
    static Path certificate;
    static Path key;

    /** An ECDSA P-256 certificate for localhost, valid 10 days, and the SHA-256 of its DER form (base64). */
    @BeforeAll
    static void certificate() throws Exception {
        Path dir = Files.createTempDirectory("qsio-wt");
        certificate = dir.resolve("cert.pem");
        key = dir.resolve("key.pem");
        Process openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key.toString(), "-out", certificate.toString(),
                "-days", "10", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1")
                .redirectErrorStream(true).start();
        String output = new String(openssl.getInputStream().readAllBytes());
        assertThat(openssl.waitFor()).as("openssl: " + output).isZero();
        try (InputStream in = Files.newInputStream(certificate)) {
            X509Certificate x509 = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
            certificateHash = Base64.getEncoder()
                    .encodeToString(MessageDigest.getInstance("SHA-256").digest(x509.getEncoded()));
        }
    }

    static Map<String, String> properties() {
        Map<String, String> props = new HashMap<>();
        props.put("quarkus.socketio.transports", "polling,websocket,webtransport");
        // the UDP port is the HTTP port: the client reaches WebTransport at the host and port of its other transports
        props.put("quarkus.socketio.webtransport.port", "${quarkus.http.port}");
        props.put("quarkus.socketio.webtransport.certificate-file", certificate.toString());
        props.put("quarkus.socketio.webtransport.key-file", key.toString());
        return props;
    }

    @Test
    void chromiumOnWebTransportAloneAndUpgradingToItInOneProcess() throws Exception {
        try (ClusterProcess app = ClusterProcess.startSingle(JAR, properties(), "webtransport");
                ClientDriver driver = ClientDriver.start();
                ScriptProcess direct = ScriptProcess.start("browser-webtransport.mjs", app.url(), certificateHash,
                        "direct", "3");
                ScriptProcess upgrading = ScriptProcess.start("browser-webtransport.mjs", app.url(), certificateHash,
                        "upgrade", "3")) {
            List<JsonNode> alone = tabs(direct.next("ready"));
            List<JsonNode> upgraded = tabs(upgrading.next("ready"));
            for (JsonNode t : concat(alone, upgraded)) {
                assertThat(t.path("transport").asText()).as(t.toString()).isEqualTo("webtransport");
                assertThat(t.path("upper").asText()).as("an acknowledgement: " + t).isEqualTo("WEBTRANSPORT");
                assertThat(t.path("reversed").toString()).as("binary both ways: " + t).isEqualTo("[250,3,2,1]");
                assertThat(t.path("large").toString()).as("frames of 16- and 64-bit lengths: " + t)
                        .isEqualTo("[[300,9,7],[70000,9,7]]");
                assertThat(t.path("long").asInt()).as("a text frame of 1,000 characters: " + t).isEqualTo(1000);
                assertThat(t.path("errors")).as(t.toString()).isEmpty();
            }
            assertThat(alone).allMatch(t -> !t.path("upgraded").asBoolean());
            assertThat(upgraded).allMatch(t -> t.path("upgraded").asBoolean());

            // a publisher on WebSocket: broadcasts to the room reach the WebTransport tabs, in order
            driver.connect("pub", app.url(), Map.of("transports", List.of("websocket")));
            driver.await("pub", "connect");
            assertThat(driver.call("pub", 15_000, "burst", "P", 500, "wt").get(0).asInt()).isEqualTo(500);
            awaitReceived(direct, upgrading, 500);

            // a session that writes a malformed frame is closed, and only it
            try (ScriptProcess malformed = ScriptProcess.start("browser-webtransport.mjs", app.url(), certificateHash,
                    "malformed", "1")) {
                JsonNode closed = malformed.next("closed");
                assertThat(closed.path("opened").asBoolean()).as("the server answered its OPEN first: " + closed).isTrue();
            }
            assertThat(driver.call("pub", 15_000, "burst", "Q", 100, "wt").get(0).asInt()).isEqualTo(100);
            awaitReceived(direct, upgrading, 600);
            for (JsonNode t : concat(tabs(direct.ask("report", "report")), tabs(upgrading.ask("report", "report")))) {
                assertThat(t.path("received").asInt()).as(t.toString()).isEqualTo(600);
                assertThat(t.path("outOfOrder").asInt()).as(t.toString()).isZero();
                assertThat(t.path("disconnects")).as(t.toString()).isEmpty();
                assertThat(t.path("connects").asInt()).as(t.toString()).isEqualTo(1);
            }
            String metrics = app.text("/q/metrics");
            assertThat(metrics).as("the figures name the transport").contains("transport=\"webtransport\"");
        }
    }

    static void awaitReceived(ScriptProcess a, ScriptProcess b, int count) {
        await().atMost(Duration.ofSeconds(60)).alias("every tab receives " + count).until(() -> concat(
                tabs(a.ask("report", "report")), tabs(b.ask("report", "report"))).stream()
                .allMatch(t -> t.path("received").asInt() >= count));
    }

    static List<JsonNode> tabs(JsonNode event) {
        List<JsonNode> list = new ArrayList<>();
        event.path("tabs").forEach(list::add);
        return list;
    }

    static List<JsonNode> concat(List<JsonNode> a, List<JsonNode> b) {
        List<JsonNode> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

}
