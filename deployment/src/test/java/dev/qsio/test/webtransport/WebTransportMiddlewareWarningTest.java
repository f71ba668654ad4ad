package dev.qsio.test.webtransport;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.logging.Level;

import jakarta.inject.Singleton;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.qsio.EngineMiddleware;
import io.quarkus.test.QuarkusUnitTest;
import io.quarkus.test.common.http.TestHTTPResource;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;

/**
 * WebTransport on, and an {@link EngineMiddleware} bean: no middleware can run for a WebTransport session, so every one
 * is refused (as Node's engine does once {@code engine.use} was called; the refusal itself, seen by Chromium, is
 * node-suites' {@code WebTransportMiddlewareCasesTest}). Startup says so at WARN, naming the middleware, and the
 * handshake does not offer the upgrade to WebTransport.
 */
class WebTransportMiddlewareWarningTest {

    @RegisterExtension
    static final QuarkusUnitTest test = new QuarkusUnitTest()
            .withApplicationRoot(root -> root.addClasses(WebTransportWithoutCertificateTest.Chat.class, Stamp.class,
                    TestCertificate.class))
            .overrideConfigKey("quarkus.http.test-port", "0")
            .overrideConfigKey("quarkus.socketio.transports", "polling,websocket,webtransport")
            .overrideConfigKey("quarkus.socketio.webtransport.certificate-file",
                    TestCertificate.file("cert.pem"))
            .overrideConfigKey("quarkus.socketio.webtransport.key-file",
                    TestCertificate.file("key.pem"))
            .overrideConfigKey("quarkus.socketio.webtransport.port", "0")
            .setLogRecordPredicate(r -> r.getLoggerName().startsWith("dev.qsio")
                    && r.getLevel().intValue() >= Level.WARNING.intValue())
            .assertLogRecords(records -> assertThat(records)
                    .anyMatch(r -> r.getMessage().contains("has engine middlewares")
                            && String.valueOf(r.getParameters()[0]).equals(Stamp.class.getName())));

    @Singleton
    public static class Stamp implements EngineMiddleware {
        @Override
        public Uni<Void> apply(RoutingContext ctx) {
            ctx.response().putHeader("x-stamp", "1");
            return Uni.createFrom().voidItem();
        }
    }

    @TestHTTPResource("/socket.io/?EIO=4&transport=polling")
    URI handshake;

    @Test
    void theHandshakeDoesNotOfferWebTransport() throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(handshake).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("x-stamp")).hasValue("1");
        assertThat(r.body()).contains("\"upgrades\":[\"websocket\"]");
    }
}
