package dev.qsio.test.webtransport;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
            .withApplicationRoot(root -> root.addClasses(WebTransportWithoutCertificateTest.Chat.class, TestCertificate.class))
            .overrideConfigKey("quarkus.socketio.transports", "polling,websocket,webtransport")
            .overrideConfigKey("quarkus.socketio.webtransport.certificate-file", TestCertificate.file("cert.pem"))
            .overrideConfigKey("quarkus.socketio.webtransport.key-file", TestCertificate.file("key.pem"))
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
}
