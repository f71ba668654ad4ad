package dev.qsio.it.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URL;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;

import dev.qsio.it.support.ClientDriver;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * The official {@code socket.io-client} refused by the handshake rate of its address (HTTP 429): it gets a
 * {@code connect_error}, retries by itself, and connects once a token is back (one every 2 s here).
 */
@QuarkusTest
@TestProfile(AddressLimitsClientTest.OneHandshakeEveryTwoSeconds.class)
class AddressLimitsClientTest {

    public static class OneHandshakeEveryTwoSeconds implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.socketio.limits.handshakes-per-second-per-address", "0.5",
                    "quarkus.socketio.limits.handshake-burst-per-address", "1");
        }
    }

    @TestHTTPResource("/")
    URL root;

    ClientDriver driver;

    @BeforeEach
    void start() {
        driver = ClientDriver.start();
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    @ParameterizedTest
    @ValueSource(strings = { "polling", "websocket" })
    void aRefusedClientGetsAConnectErrorAndConnectsOnceWithinTheRate(String transport) {
        String url = root.toString().replaceAll("/$", "") + "/";
        Map<String, Object> opts = Map.of("transports", List.of(transport), "reconnectionDelay", 500,
                "reconnectionDelayMax", 1000);
        // the first takes the bucket's only token (waiting for it if the previous run took it)
        driver.connect("first-" + transport, url, opts);
        driver.await("first-" + transport, "connect");

        String second = "second-" + transport;
        driver.connect(second, url, opts);
        JsonNode refused = driver.await(second, "connect_error");
        assertThat(refused.path("message").asText()).isEqualTo(transport.equals("polling") ? "xhr poll error"
                : "websocket error");
        driver.await(second, "connect");
        assertThat(driver.connectedNow("first-" + transport)).as("the first client is not disturbed").isTrue();
    }
}
