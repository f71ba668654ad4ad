package dev.qsio.it.nodesuites;

import static dev.qsio.it.nodesuites.ServerCases.PATH;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.qsio.it.support.ClientDriver;
import dev.qsio.it.support.ScriptProcess;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * {@code engine.io/test/webtransport.mjs}'s case that needs an engine middleware: an application of its own, with
 * WebTransport as in {@link WebTransportCasesTest} and the module's engine middlewares
 * ({@link EngineMiddlewaresCasesTest}). A middleware cannot run for a WebTransport session (it reaches the HTTP/3
 * listener, not the HTTP server), so Node's engine closes every one while a middleware is registered; here it is refused
 * at its CONNECT, and the handshake of another transport does not offer the upgrade to it. The client is Chromium's
 * {@code WebTransport}, pinning the application's certificate.
 */
@QuarkusTest
@TestProfile(WebTransportMiddlewareCasesTest.WithMiddlewares.class)
@NodeFile("engine.io/test/webtransport.mjs")
class WebTransportMiddlewareCasesTest {

    public static class WithMiddlewares extends WebTransportCasesTest.OnWebTransport {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> config = new HashMap<>(super.getConfigOverrides());
            config.put("node-suites.engine-middlewares", "true");
            return config;
        }
    }

    @TestHTTPResource("/")
    URL root;

    @Test
    @NodeCase("WebTransport > should refuse the connection when a middleware is registered")
    void aSessionIsRefusedWhileTheApplicationHasAnEngineMiddleware() throws Exception {
        try (ScriptProcess page = WebTransportCasesTest.startPage(root)) {
            String id = "refused-" + System.nanoTime();
            JsonNode opened = page.ask(ClientDriver.JSON.writeValueAsString(Map.of("op", "open", "id", id, "query",
                    "rid=" + id + "&listen=1")), "done");
            assertThat(opened.path("ready").asBoolean()).as("refused: %s", opened).isFalse();
            JsonNode end = page.ask(ClientDriver.JSON.writeValueAsString(Map.of("op", "closed", "id", id, "ms", 10_000)),
                    "done");
            assertThat(end.path("settled").isNull()).as("the session ended: %s", end).isFalse();
            assertThat(ServerCases.SOCKETS.values()).noneMatch(s -> id.equals(s.request().queryParam("rid")));
        }
        // the transports that go through the middlewares still open sessions, and are not offered the upgrade
        HttpResponse<String> handshake = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(root
                + PATH.substring(1) + "?EIO=4&transport=polling&mw=order&rid=wt-polling")).timeout(Duration.ofSeconds(20))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(handshake.statusCode()).isEqualTo(200);
        assertThat(handshake.body()).startsWith("0{").contains("\"upgrades\":[\"websocket\"]");
        assertThat(EngineMiddlewaresCasesTest.ORDER.get("wt-polling")).containsExactly(1, 2, 3);
    }
}
