package dev.qsio.test.engine;

import static dev.qsio.test.engine.Handshakes.handshake;
import static dev.qsio.test.engine.Handshakes.open;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.qsio.OnEvent;
import dev.qsio.SocketIo;
import dev.qsio.runtime.engine.EngineEndpoints;
import dev.qsio.runtime.engine.EngineFigure;
import io.quarkus.test.QuarkusUnitTest;
import io.restassured.response.Response;

/**
 * {@code quarkus.socketio.inbound.cooldown}: a client disconnected past its inbound limit ({@code exceeded=disconnect})
 * leaves its address unable to open a session for the cooldown: 429 with {@code Retry-After} and the documented
 * message, counted; other addresses are not touched, and the address opens sessions again after it. The addresses
 * are taken from {@code X-Forwarded-For} of this trusted peer.
 */
class InboundCooldownTest {

    @RegisterExtension
    static final QuarkusUnitTest test = new QuarkusUnitTest()
            .withApplicationRoot(root -> root.addClasses(Handshakes.class, Echo.class))
            .overrideConfigKey("quarkus.http.test-port", "0")
            .overrideConfigKey("quarkus.http.proxy.proxy-address-forwarding", "true")
            .overrideConfigKey("quarkus.http.proxy.allow-x-forwarded", "true")
            .overrideConfigKey("quarkus.http.proxy.trusted-proxies", "127.0.0.1")
            .overrideConfigKey("quarkus.socketio.inbound.events-per-second", "1")
            .overrideConfigKey("quarkus.socketio.inbound.event-burst", "3")
            .overrideConfigKey("quarkus.socketio.inbound.exceeded", "disconnect")
            .overrideConfigKey("quarkus.socketio.inbound.cooldown", "3s");

    @SocketIo
    public static class Echo {
        @OnEvent("echo")
        String echo(String text) {
            return text;
        }
    }

    @Inject
    EngineEndpoints engines;

    private long figure(EngineFigure figure) {
        return engines.servers().stream().mapToLong(s -> s.stats().snapshot().get(figure)).sum();
    }

    @Test
    void theAddressOfAClientCutOffForFloodingWaitsTheCooldown() {
        long refusedBefore = figure(EngineFigure.HANDSHAKES_REFUSED_COOLDOWN);
        String flooder = "10.0.7.1";
        String sid = open(flooder);
        Handshakes.post(flooder, sid, "40");
        assertThat(handshake(flooder).statusCode()).as("before the flood: no cooldown").isEqualTo(200);
        StringBuilder flood = new StringBuilder();
        for (int i = 0; i < 10; i++) {
            flood.append(i == 0 ? "" : "\u001e").append("42[\"echo\",\"f").append(i).append("\"]");
        }
        long cutAt = System.nanoTime();
        Handshakes.post(flooder, sid, flood.toString());

        // the events are handled after the POST is answered: the cooldown starts once the client is cut off
        Response[] last = new Response[1];
        await().atMost(Duration.ofSeconds(10)).until(() -> (last[0] = handshake(flooder)).statusCode() == 429);
        Response refused = last[0];
        refused.then().statusCode(429).contentType("application/json").body("code", equalTo(4))
                .body("message", equalTo("This address was rate limited"));
        assertThat(Integer.parseInt(refused.header("Retry-After"))).isBetween(1, 3);
        assertThat(figure(EngineFigure.HANDSHAKES_REFUSED_COOLDOWN)).isEqualTo(refusedBefore + 1);
        assertThat(handshake("10.0.7.2").statusCode()).as("another address").isEqualTo(200);

        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                .until(() -> handshake(flooder).statusCode() == 200);
        assertThat(Duration.ofNanos(System.nanoTime() - cutAt)).as("not before the cooldown's end")
                .isGreaterThanOrEqualTo(Duration.ofMillis(2_900));
    }
}
