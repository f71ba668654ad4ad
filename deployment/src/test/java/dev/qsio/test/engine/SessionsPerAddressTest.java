package dev.qsio.test.engine;

import static dev.qsio.test.engine.Handshakes.handshake;
import static dev.qsio.test.engine.Handshakes.open;
import static dev.qsio.test.engine.Handshakes.post;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.qsio.runtime.engine.EngineEndpoints;
import dev.qsio.runtime.engine.EngineFigure;
import io.quarkus.test.QuarkusUnitTest;

/**
 * The limit on the open sessions of one remote address ({@code quarkus.socketio.limits.sessions-per-address}): past
 * it a handshake gets 429, and a session that ends makes room again. The handshake rate is off here.
 */
class SessionsPerAddressTest {

    @RegisterExtension
    static final QuarkusUnitTest test = new QuarkusUnitTest()
            .withApplicationRoot(root -> root.addClasses(Handshakes.class))
            .overrideConfigKey("quarkus.http.test-port", "0")
            .overrideConfigKey("quarkus.http.proxy.proxy-address-forwarding", "true")
            .overrideConfigKey("quarkus.http.proxy.allow-x-forwarded", "true")
            .overrideConfigKey("quarkus.http.proxy.trusted-proxies", "127.0.0.1")
            .overrideConfigKey("quarkus.socketio.limits.handshakes-per-second-per-address", "0")
            .overrideConfigKey("quarkus.socketio.limits.sessions-per-address", "2");

    @Inject
    EngineEndpoints engines;

    private long refused() {
        return engines.servers().stream().mapToLong(s -> s.stats().snapshot().get(EngineFigure.HANDSHAKES_REFUSED_SESSIONS))
                .sum();
    }

    @Test
    void handshakesPastTheSessionsOfAnAddressGet429UntilOneCloses() {
        long before = refused();
        String first = open("10.0.2.1");
        String second = open("10.0.2.1");
        handshake("10.0.2.1").then().statusCode(429).header("Retry-After", "5")
                .body("code", equalTo(4)).body("message", equalTo("Too many sessions from this address"));
        assertThat(refused()).isEqualTo(before + 1);
        // another address is not concerned
        post("10.0.2.2", open("10.0.2.2"), "1");
        // the sessions of the full address go on
        post("10.0.2.1", second, "40");

        // a close packet ends one session: the address may open another
        post("10.0.2.1", first, "1");
        String third = open("10.0.2.1");
        handshake("10.0.2.1").then().statusCode(429);
        post("10.0.2.1", second, "1");
        post("10.0.2.1", third, "1");
        post("10.0.2.1", open("10.0.2.1"), "1");
    }
}
