package dev.qsio.it.features.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import dev.qsio.it.support.ClusterProcess;
import dev.qsio.it.support.ScriptProcess;

/**
 * A Chromium tab polling over HTTPS, where it speaks HTTP/2: one connection carries its GETs and its POSTs, while the
 * server writes to its session from a worker thread. Vert.x runs an HTTP/2 request's handler while it holds the
 * connection's lock; a send that answered the tab's GET from the worker thread, holding the session's lock, waited for
 * the connection's while the connection's event loop, in the handler of the tab's next POST, waited for the session's.
 * Both stood still for good, and with them every connection of that loop (a fresh-clone CI met it with the JDK's
 * HTTP/2 client: MultiHostIT). Checked here with the official browser client, unmodified: every event of the server's
 * stream and every answer to the tab's own events arrives, in order, without a disconnect, over HTTP/2; and no event
 * loop of the server was blocked.
 */
class Http2PollingIT {

    static final int EVENTS = 5000;
    static final int ORDERS = 1500;

    @Test
    void aChromiumTabPollingOverHttp2KeepsEverythingWhileTheServerWritesFromAWorkerThread(@TempDir Path dir)
            throws Exception {
        Process openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", "key.pem", "-out", "cert.pem", "-days", "2",
                "-subj", "/CN=localhost").directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(openssl.getInputStream().readAllBytes());
        assertThat(openssl.waitFor(30, TimeUnit.SECONDS) && openssl.exitValue() == 0).as("openssl: " + output).isTrue();
        int httpsPort = ClusterProcess.freePort();
        Map<String, String> props = new HashMap<>();
        props.put("quarkus.http.ssl-port", String.valueOf(httpsPort));
        props.put("quarkus.http.ssl.certificate.files", dir.resolve("cert.pem").toString());
        props.put("quarkus.http.ssl.certificate.key-files", dir.resolve("key.pem").toString());
        try (ClusterProcess app = ClusterProcess.startSingle(UnreadClientIT.JAR, props, "http2-polling");
                ScriptProcess tab = ScriptProcess.start("browser-h2-polling.mjs",
                        "https://" + app.address() + ":" + httpsPort, String.valueOf(EVENTS), String.valueOf(ORDERS))) {
            JsonNode result = tab.next("result");
            String what = result.toString();
            assertThat(result.path("protocols").toString()).as("the tab's requests went over HTTP/2: " + what)
                    .isEqualTo("[\"h2\"]");
            assertThat(result.path("finished").asBoolean()).as("everything arrived within 60 s: " + what).isTrue();
            assertThat(result.path("got").asInt()).as(what).isEqualTo(EVENTS);
            assertThat(result.path("outOfOrder").asInt()).as(what).isZero();
            assertThat(result.path("orderBacks").asInt()).as(what).isEqualTo(ORDERS);
            assertThat(result.path("ordersOutOfOrder").asInt()).as(what).isZero();
            assertThat(result.path("streamAck").asInt()).as(what).isEqualTo(EVENTS);
            assertThat(result.path("connects").asInt()).as(what).isEqualTo(1);
            assertThat(result.path("disconnects")).as(what).isEmpty();
            assertThat(app.logText()).as("the server's log").doesNotContain("has been blocked for");
        }
    }
}
