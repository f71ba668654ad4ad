package dev.qsio.test.engine;

import static dev.qsio.test.engine.Handshakes.handshake;
import static dev.qsio.test.engine.Handshakes.open;
import static dev.qsio.test.engine.Handshakes.post;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.logging.Level;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.qsio.runtime.engine.EngineEndpoints;
import dev.qsio.runtime.engine.EngineFigure;
import dev.qsio.test.RawConnection;
import io.quarkus.test.QuarkusUnitTest;
import io.quarkus.test.common.http.TestHTTPResource;
import io.restassured.response.Response;

/**
 * The limits per remote address on handshakes ({@code quarkus.socketio.limits}): a new session past them gets 429
 * with {@code Retry-After}, requests of open sessions never do. The HTTP server takes the client's address from
 * {@code X-Forwarded-For} of this trusted peer, so that each test has addresses of its own.
 */
class AddressLimitsTest {

    @RegisterExtension
    static final QuarkusUnitTest test = new QuarkusUnitTest()
            .withApplicationRoot(root -> root.addClasses(Handshakes.class, RawConnection.class))
            .overrideConfigKey("quarkus.http.test-port", "0")
            .overrideConfigKey("quarkus.http.proxy.proxy-address-forwarding", "true")
            .overrideConfigKey("quarkus.http.proxy.allow-x-forwarded", "true")
            .overrideConfigKey("quarkus.http.proxy.trusted-proxies", "127.0.0.1")
            .overrideConfigKey("quarkus.socketio.limits.handshakes-per-second-per-address", "0.25")
            .overrideConfigKey("quarkus.socketio.limits.handshake-burst-per-address", "3")
            .overrideConfigKey("quarkus.socketio.limits.sessions-per-address", "0")
            // one INFO line per address and 10 s, naming the forwarded address, with no hint about proxies
            .setLogRecordPredicate(r -> r.getLoggerName().startsWith("dev.qsio") && r.getLevel().intValue() == Level.INFO.intValue())
            .assertLogRecords(records -> assertThat(records).extracting(Handshakes::text)
                    .filteredOn(m -> m.startsWith("Refused a handshake"))
                    .hasSize(2)
                    .allSatisfy(m -> assertThat(m).doesNotContain("proxy"))
                    .anySatisfy(m -> assertThat(m).contains("10.0.0.1"))
                    .anySatisfy(m -> assertThat(m).contains("10.0.1.1")));

    @TestHTTPResource("/")
    URL root;

    @Inject
    EngineEndpoints engines;

    /** A token comes back every 4 s: a refused handshake is told to wait 1 to 4 s. */
    private static void assertRetryAfter(String value) {
        assertThat(Integer.parseInt(value)).isBetween(1, 4);
    }

    private long figure(EngineFigure figure) {
        return engines.servers().stream().mapToLong(s -> s.stats().snapshot().get(figure)).sum();
    }

    @Test
    void pollingHandshakesPastTheRateGet429WithRetryAfterAndTheRequestsOfOpenSessionsGoOn() {
        long refusedBefore = figure(EngineFigure.HANDSHAKES_REFUSED_RATE);
        post("10.0.0.1", open("10.0.0.1"), "1");
        post("10.0.0.1", open("10.0.0.1"), "1");
        String third = open("10.0.0.1");

        Response refused = handshake("10.0.0.1");
        refused.then().statusCode(429).contentType("application/json")
                .body("code", equalTo(4)).body("message", equalTo("Too many handshakes from this address"));
        assertRetryAfter(refused.header("Retry-After"));
        assertThat(figure(EngineFigure.HANDSHAKES_REFUSED_RATE)).isEqualTo(refusedBefore + 1);

        // another address has a bucket of its own
        post("10.0.0.2", open("10.0.0.2"), "1");
        // the open session of the limited address is not limited: a CONNECT, then the GET that answers it
        post("10.0.0.1", third, "40");
        String answer = given().header("X-Forwarded-For", "10.0.0.1").queryParam("EIO", "4")
                .queryParam("transport", "polling").queryParam("sid", third).get("/socket.io/")
                .then().statusCode(200).extract().asString();
        assertThat(answer).startsWith("4");

        // within the rate again (one token a second), a handshake goes through
        post("10.0.0.1", third, "1");
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                .until(() -> handshake("10.0.0.1").statusCode() == 200);
    }

    @Test
    void webSocketHandshakesPastTheRateGet429AndTheirUpgradesAreNotLimited() throws Exception {
        long refusedBefore = figure(EngineFigure.HANDSHAKES_REFUSED_RATE);
        String sid = open("10.0.1.1");
        try (RawConnection a = new RawConnection(root.getPort()); RawConnection b = new RawConnection(root.getPort())) {
            assertThat(a.upgrade("/socket.io/?EIO=4&transport=websocket", "X-Forwarded-For: 10.0.1.1\r\n").status())
                    .startsWith("HTTP/1.1 101");
            assertThat(b.upgrade("/socket.io/?EIO=4&transport=websocket", "X-Forwarded-For: 10.0.1.1\r\n").status())
                    .startsWith("HTTP/1.1 101");
        }
        try (RawConnection c = new RawConnection(root.getPort())) {
            RawConnection.Response refused = c.upgrade("/socket.io/?EIO=4&transport=websocket",
                    "X-Forwarded-For: 10.0.1.1\r\n");
            assertThat(refused.status()).startsWith("HTTP/1.1 429");
            assertRetryAfter(refused.header("retry-after"));
            assertThat(new String(refused.body(), StandardCharsets.UTF_8))
                    .isEqualTo("{\"code\":4,\"message\":\"Too many handshakes from this address\"}");
        }
        assertThat(figure(EngineFigure.HANDSHAKES_REFUSED_RATE)).isEqualTo(refusedBefore + 1);
        // the upgrade of an open session carries its sid: it is never limited
        try (RawConnection d = new RawConnection(root.getPort())) {
            assertThat(d.upgrade("/socket.io/?EIO=4&transport=websocket&sid=" + sid, "X-Forwarded-For: 10.0.1.1\r\n")
                    .status()).startsWith("HTTP/1.1 101");
        }
    }
}
