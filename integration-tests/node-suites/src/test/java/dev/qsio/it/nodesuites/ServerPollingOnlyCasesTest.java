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
 * here), {@code httpCompression: {threshold: 0}} and a {@code maxHttpBufferSize} of 10 MB (Node's case sets 1e10): one
 * application for the cases of these settings.
 */
@QuarkusTest
@TestProfile(ServerPollingOnlyCasesTest.PollingOnly.class)
@NodeFile("engine.io/test/server.js")
class ServerPollingOnlyCasesTest extends ServerCases {

    public static class PollingOnly implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.socketio.transports", "polling",
                    "quarkus.socketio.cluster.sticky.enabled", "true",
                    "quarkus.socketio.cluster.sticky.cookie-name", "woot",
                    "quarkus.socketio.cluster.sticky.cookie-path", "/custom",
                    "quarkus.socketio.cluster.sticky.cookie-same-site", "strict",
                    "quarkus.socketio.cluster.sticky.cookie-http-only", "false",
                    "quarkus.socketio.http-compression.threshold", "0",
                    "quarkus.socketio.max-http-buffer-size", "10000000");
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
