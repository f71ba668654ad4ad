package dev.qsio.it.nodesuites;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.qsio.ClusterInfo;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * {@code engine.io/test/server.js} with a short heartbeat (Node's cases set {@code pingInterval} and
 * {@code pingTimeout} to tens of milliseconds; here 500 and 400 ms, which a loaded machine keeps), a short
 * {@code upgradeTimeout}, Node's {@code cookie: true} (the sticky cookie named {@code io}) and
 * {@code httpCompression: false}: one application for the cases of these settings.
 */
@QuarkusTest
@TestProfile(ServerHeartbeatCasesTest.ShortHeartbeat.class)
@NodeFile("engine.io/test/server.js")
class ServerHeartbeatCasesTest extends ServerCases {

    static final long PING_INTERVAL = 500;
    static final long PING_TIMEOUT = 400;

    public static class ShortHeartbeat implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.socketio.ping-interval", PING_INTERVAL + "ms",
                    "quarkus.socketio.ping-timeout", PING_TIMEOUT + "ms",
                    "quarkus.socketio.upgrade-timeout", "1s",
                    "quarkus.socketio.cluster.sticky.enabled", "true",
                    "quarkus.socketio.cluster.sticky.cookie-name", "io",
                    "quarkus.socketio.http-compression.enabled", "false");
        }
    }

    static final Map<String, Object> POLLING = Map.of("transports", List.of("polling"));

    @Inject
    ClusterInfo cluster;

    // handshake

    /**
     * Node's cookie holds the session id; here the sticky cookie names the node (a deliberate difference,
     * coming-from-node.adoc), with Node's attributes.
     */
    @Test
    @NodeCase("server > handshake > should send the io cookie")
    void theHandshakeSetsTheIoCookie() throws Exception {
        assertThat(rawHandshake().headers().allValues("set-cookie"))
                .containsExactly("io=" + cluster.nodeId() + "; Path=/; HttpOnly; SameSite=Lax");
    }

    @Test
    @NodeCase("server > handshake > should send the io cookie with httpOnly=true")
    void theIoCookieIsHttpOnlyByDefault() throws Exception {
        assertThat(rawHandshake().headers().firstValue("set-cookie").orElseThrow()).contains("; HttpOnly");
    }

    @Test
    @NodeCase("server > handshake > should allow custom ping timeouts")
    void theHandshakeSaysThePingTimeout() {
        String id = start(POLLING);
        assertThat(driver.await(id, "handshake").path("data").path("pingTimeout").asLong()).isEqualTo(PING_TIMEOUT);
    }

    // http compression

    @Test
    @NodeCase("server > http compression > should disable compression")
    void noPollingResponseIsCompressed() throws Exception {
        String sid = sidOf(rawHandshake());
        socket(sid).send(bytes(1024));
        HttpResponse<byte[]> res = rawGet("EIO=4&transport=polling&sid=" + sid, "Accept-Encoding", "gzip, deflate");
        assertThat(res.headers().firstValue("content-encoding")).isEmpty();
        assertThat(new String(res.body(), java.nio.charset.StandardCharsets.UTF_8)).startsWith("b");
    }
}
