package dev.qsio.test.backpressure;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URL;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.qsio.OnEvent;
import dev.qsio.RateLimit;
import dev.qsio.SocketIo;
import dev.qsio.test.backpressure.SlowClients.Client;
import io.quarkus.test.QuarkusUnitTest;
import io.quarkus.test.common.http.TestHTTPResource;

/**
 * {@code @OnEvent(rateLimit = @RateLimit(...))}: the event's own bucket per connection, with nothing configured; past
 * it the event is answered with the error, while the connection's other events go on; the burst defaults to the rate
 * rounded up; the configuration, when it names the event, takes the annotation's place.
 */
class RateLimitAnnotationTest {

    @SocketIo("/")
    public static class Limited {

        @OnEvent(value = "post", rateLimit = @RateLimit(perSecond = 0.1, burst = 2))
        String post(String text) {
            return text;
        }

        @OnEvent(value = "vote", rateLimit = @RateLimit(perSecond = 0.1))
        String vote(String text) {
            return text;
        }

        @OnEvent(value = "configured", rateLimit = @RateLimit(perSecond = 0.1, burst = 1))
        String configured(String text) {
            return text;
        }
    }

    @RegisterExtension
    static final QuarkusUnitTest test = new QuarkusUnitTest()
            .withApplicationRoot(jar -> {
                SlowClients.addTo(jar);
                jar.addClass(Limited.class);
            })
            // the configuration names "configured": its burst of 3 replaces the annotation's 1
            .overrideConfigKey("quarkus.socketio.inbound.event.\"configured\".per-second", "0.1")
            .overrideConfigKey("quarkus.socketio.inbound.event.\"configured\".burst", "3");

    @TestHTTPResource("/")
    URL root;

    static final String LIMITED = "[{\"error\":\"rate limited\"}]";

    @Test
    void theAnnotatedBurstGoesThenTheEventIsRefusedWhileOthersGoOn() throws Exception {
        try (Client c = SlowClients.connect(root.getPort())) {
            assertThat(c.ask(1, "post", "a")).isEqualTo("[\"a\"]");
            assertThat(c.ask(2, "post", "b")).isEqualTo("[\"b\"]");
            assertThat(c.ask(3, "post", "c")).isEqualTo(LIMITED);
            // an event without a limit, on the same connection
            for (int i = 0; i < 20; i++) {
                assertThat(c.ask(10 + i, "echo", "e" + i)).isEqualTo("[\"e" + i + "\"]");
            }
            // another connection has buckets of its own
            try (Client other = SlowClients.connect(root.getPort())) {
                assertThat(other.ask(1, "post", "d")).isEqualTo("[\"d\"]");
            }
        }
    }

    @Test
    void theBurstDefaultsToTheRateRoundedUp() throws Exception {
        try (Client c = SlowClients.connect(root.getPort())) {
            assertThat(c.ask(1, "vote", "a")).isEqualTo("[\"a\"]");
            assertThat(c.ask(2, "vote", "b")).isEqualTo(LIMITED);
        }
    }

    @Test
    void theConfigurationTakesTheAnnotationsPlace() throws Exception {
        try (Client c = SlowClients.connect(root.getPort())) {
            for (int i = 1; i <= 3; i++) {
                assertThat(c.ask(i, "configured", "x" + i)).isEqualTo("[\"x" + i + "\"]");
            }
            assertThat(c.ask(4, "configured", "x4")).isEqualTo(LIMITED);
        }
    }
}
