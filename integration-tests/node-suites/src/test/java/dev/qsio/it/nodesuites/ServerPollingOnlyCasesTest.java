package dev.qsio.it.nodesuites;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.qsio.ClusterInfo;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * {@code engine.io/test/server.js} with Node's {@code transports: ["polling"]}, a cookie of Node's {@code cookie}
 * options ({@code name: "woot", path: "/custom", sameSite: "strict", httpOnly: false}: the sticky cookie's settings
 * here), {@code httpCompression: {threshold: 0}}, a {@code maxHttpBufferSize} of 10 MB (Node's case sets 1e10) and
 * the {@code cors} options of Node's case that forwards them all: one application for the cases of these settings.
 */
@QuarkusTest
@TestProfile(ServerPollingOnlyCasesTest.PollingOnly.class)
@NodeFile("engine.io/test/server.js")
class ServerPollingOnlyCasesTest extends ServerCases {

    public static class PollingOnly implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.ofEntries(Map.entry("quarkus.socketio.transports", "polling"),
                    Map.entry("quarkus.socketio.cluster.sticky.enabled", "true"),
                    Map.entry("quarkus.socketio.cluster.sticky.cookie-name", "woot"),
                    Map.entry("quarkus.socketio.cluster.sticky.cookie-path", "/custom"),
                    Map.entry("quarkus.socketio.cluster.sticky.cookie-same-site", "strict"),
                    Map.entry("quarkus.socketio.cluster.sticky.cookie-http-only", "false"),
                    Map.entry("quarkus.socketio.http-compression.threshold", "0"),
                    Map.entry("quarkus.socketio.max-http-buffer-size", "10000000"),
                    // the cors options of Node's "should forward the configuration to the cors module"
                    Map.entry("quarkus.socketio.cors.origins", "http://good-domain.com"),
                    Map.entry("quarkus.socketio.cors.methods", "GET,PUT,POST"),
                    Map.entry("quarkus.socketio.cors.allowed-headers", "my-header"),
                    Map.entry("quarkus.socketio.cors.exposed-headers", "my-exposed-header"),
                    Map.entry("quarkus.socketio.cors.credentials", "true"),
                    Map.entry("quarkus.socketio.cors.max-age", "123s"),
                    Map.entry("quarkus.socketio.cors.preflight-status", "200"));
        }
    }

    @Inject
    ClusterInfo cluster;

    String cookie() throws Exception {
        return rawHandshake().headers().allValues("set-cookie").get(0);
    }

    // handshake

    @Test
    @NodeCase("server > handshake > should send the io cookie custom name")
    void theCookieHasItsName() throws Exception {
        assertThat(cookie()).startsWith("woot=" + cluster.nodeId() + ";");
    }

    @Test
    @NodeCase("server > handshake > should send the cookie with custom path")
    void theCookieHasItsPath() throws Exception {
        assertThat(cookie()).contains("; Path=/custom;");
    }

    @Test
    @NodeCase("server > handshake > should send the io cookie with sameSite=strict")
    void theCookieIsSameSiteStrict() throws Exception {
        assertThat(cookie()).endsWith("; SameSite=Strict");
    }

    @Test
    @NodeCase("server > handshake > should send the io cookie with httpOnly=false")
    void theCookieIsNotHttpOnly() throws Exception {
        assertThat(cookie()).isEqualTo("woot=" + cluster.nodeId() + "; Path=/custom; SameSite=Strict");
    }

    @Test
    @NodeCase("server > handshake > should not suggest upgrades when none are available")
    void aPollingOnlyServerOffersNoUpgrade() {
        String id = start(Map.of());
        assertThat(driver.await(id, "handshake").path("data").path("upgrades")).isEmpty();
    }

    @Test
    @NodeCase("server > handshake > should only suggest available upgrades")
    void theUpgradesOfferedAreTheServersTransports() {
        String id = start(Map.of());
        assertThat(driver.await(id, "handshake").path("data").path("upgrades")).isEmpty();
        assertThat(driver.await(id, "open").path("transport").asText()).isEqualTo("polling");
    }

    // close

    @Test
    @NodeCase("server > close > should trigger transport close before open for ws")
    void aClientOfATransportTheServerDoesNotServeClosesBeforeItOpens() {
        String id = start(Map.of("transports", java.util.List.of("websocket")));
        assertThat(driver.await(id, "close").path("reason").asText()).isEqualTo("transport error");
        assertThat(driver.events(id, "open")).isEmpty();
    }

    // messages

    @Test
    @NodeCase("server > messages > should arrive when content is split in multiple chunks (polling)")
    void aMegabyteMessageArrives() {
        Client client = open(Map.of());
        socket(client.sid());
        driver.engineSend(client.id(), "a".repeat(1_000_000));
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20))
                .until(() -> !RECEIVED.get(client.sid()).isEmpty());
        assertThat((String) RECEIVED.get(client.sid()).get(0)).hasSize(1_000_000);
    }

    // cors

    @Test
    @NodeCase("server > cors > should forward the configuration to the cors module")
    void aPreflightAnswersWithEveryCorsSetting() {
        io.restassured.response.Response res = io.restassured.RestAssured.given()
                .header("Origin", "http://good-domain.com")
                .when().options(url(PATH) + "?EIO=4&transport=polling");
        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.asString()).isEmpty();
        assertThat(res.header("Access-Control-Allow-Origin")).isEqualTo("http://good-domain.com");
        assertThat(res.header("Access-Control-Allow-Methods")).isEqualTo("GET,PUT,POST");
        assertThat(res.header("Access-Control-Allow-Headers")).isEqualTo("my-header");
        assertThat(res.header("Access-Control-Expose-Headers")).isEqualTo("my-exposed-header");
        assertThat(res.header("Access-Control-Allow-Credentials")).isEqualTo("true");
        assertThat(res.header("Access-Control-Max-Age")).isEqualTo("123");
    }

    // http compression

    @Test
    @NodeCase("server > http compression > should set threshold")
    void aTinyPollingResponseIsCompressedUnderAZeroThreshold() throws Exception {
        String sid = sidOf(rawHandshake());
        socket(sid).send(bytes(10));
        HttpResponse<byte[]> res = rawGet("EIO=4&transport=polling&sid=" + sid, "Accept-Encoding", "gzip, deflate");
        assertThat(res.headers().firstValue("content-encoding")).hasValue("gzip");
    }
}
