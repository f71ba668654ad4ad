package dev.qsio.it.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
 * The process's handshake rate ({@code limits.handshakes-per-second}, all addresses together; one handshake every 5 s
 * here, the limits per address left at their defaults): past it a handshake gets HTTP 429 with {@code Retry-After} and
 * the reason, and the official {@code socket.io-client} gets a {@code connect_error}, retries by itself and connects
 * once a token is back, while the client already connected is not disturbed.
 */
@QuarkusTest
@TestProfile(ServerHandshakeRateClientTest.OneHandshakeEveryFiveSeconds.class)
class ServerHandshakeRateClientTest {

    public static class OneHandshakeEveryFiveSeconds implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.socketio.limits.handshakes-per-second", "0.2",
                    "quarkus.socketio.limits.handshake-burst", "1");
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
    void pastTheProcesssRateAClientIsRefusedThenConnects(String transport) throws Exception {
        String url = root.toString().replaceAll("/$", "") + "/";
        Map<String, Object> opts = Map.of("transports", List.of(transport), "reconnectionDelay", 500,
                "reconnectionDelayMax", 1000);
        // the first takes the bucket's only token (waiting for it if the previous run took it)
        driver.connect("first-" + transport, url, opts);
        driver.await("first-" + transport, "connect");

        // the bucket is empty for the next 5 s: a handshake now is refused for the process's rate
        HttpResponse<String> refused = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(url + "socket.io/?EIO=4&transport=polling")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(refused.headers().firstValue("retry-after")).hasValueSatisfying(
                v -> assertThat(Integer.parseInt(v)).isBetween(1, 5));
        assertThat(refused.body()).contains("Too many handshakes on this server");

        String second = "second-" + transport;
        driver.connect(second, url, opts);
        JsonNode error = driver.await(second, "connect_error");
        assertThat(error.path("message").asText()).isEqualTo(transport.equals("polling") ? "xhr poll error"
                : "websocket error");
        driver.await(second, "connect");
        assertThat(driver.connectedNow("first-" + transport)).as("the first client is not disturbed").isTrue();
    }
}
