package dev.qsio.test.webtransport;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkus.test.QuarkusUnitTest;
import io.quarkus.test.common.http.TestHTTPResource;

/**
 * WebTransport on, and an HTTP permission over the Socket.IO path (another over {@code /q/*}): a WebTransport session
 * would pass the permission by, since it reaches the HTTP/3 listener and not the HTTP server, and startup says so at
 * WARN, naming that permission and not the other. (Whether the HTTP server applies the permission is Quarkus
 * security's, which this module does not carry: the security module's tests.)
 */
class WebTransportPermissionsWarningTest {

    @RegisterExtension
    static final QuarkusUnitTest test = new QuarkusUnitTest()
            .withApplicationRoot(root -> root.addClasses(WebTransportWithoutCertificateTest.Chat.class))
            .overrideConfigKey("quarkus.socketio.transports", "polling,websocket,webtransport")
            .overrideConfigKey("quarkus.socketio.webtransport.certificate-file", certificate("cert.pem"))
            .overrideConfigKey("quarkus.socketio.webtransport.key-file", certificate("key.pem"))
            .overrideConfigKey("quarkus.socketio.webtransport.port", "0")
            .overrideConfigKey("quarkus.http.auth.permission.closed.paths", "/socket.io/*")
            .overrideConfigKey("quarkus.http.auth.permission.closed.policy", "deny")
            .overrideConfigKey("quarkus.http.auth.permission.health.paths", "/q/*")
            .overrideConfigKey("quarkus.http.auth.permission.health.policy", "deny")
            .setLogRecordPredicate(r -> r.getLoggerName().startsWith("dev.qsio")
                    && r.getLevel().intValue() >= Level.WARNING.intValue())
            .assertLogRecords(records -> assertThat(records)
                    .anyMatch(r -> r.getMessage().contains("HTTP permissions cover the Engine.IO path")
                            && String.valueOf(r.getParameters()[1])
                                    .equals("quarkus.http.auth.permission.closed (policy deny, paths /socket.io/*)")));

    @TestHTTPResource("/socket.io/?EIO=4&transport=polling")
    URI handshake;

    @Test
    void theApplicationServesWithWebTransportListedAndItsWarningGiven() throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(handshake).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("\"upgrades\":[\"websocket\"");
    }

    /** A self-signed ECDSA certificate and its key, made once under target/ with openssl; the file's path. */
    static synchronized String certificate(String file) {
        Path dir = Path.of("target", "webtransport-permissions");
        try {
            if (!Files.isRegularFile(dir.resolve("key.pem"))) {
                Files.createDirectories(dir);
                Process p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                        "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", "key.pem", "-out", "cert.pem", "-days", "2",
                        "-subj", "/CN=localhost").directory(dir.toFile()).redirectErrorStream(true).start();
                String output = new String(p.getInputStream().readAllBytes());
                if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                    throw new IllegalStateException("openssl could not make a certificate: " + output);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("openssl is needed to make the test's certificate", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return dir.resolve(file).toAbsolutePath().toString();
    }
}
