package dev.qsio.test.backpressure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URL;
import java.time.Duration;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.qsio.runtime.server.ServerStats;
import dev.qsio.runtime.server.ServerFigure;
import dev.qsio.test.backpressure.SlowClients.Client;
import io.quarkus.test.QuarkusUnitTest;
import io.quarkus.test.common.http.TestHTTPResource;

/**
 * The limits on what a client sends: past the events of its bucket, an event is dropped and, when it asked for an
 * acknowledgement, answered with an error; single events by name have buckets of their own; bytes too. Within the
 * limits nothing changes, and the buckets fill again at their rate.
 */
class InboundLimitsTest {

    @RegisterExtension
    static final QuarkusUnitTest test = new QuarkusUnitTest()
            .withApplicationRoot(SlowClients::addTo)
            .overrideConfigKey("quarkus.socketio.inbound.events-per-second", "2")
            .overrideConfigKey("quarkus.socketio.inbound.event-burst", "5")
            .overrideConfigKey("quarkus.socketio.inbound.event.\"slow\".per-second", "0.1")
            .overrideConfigKey("quarkus.socketio.inbound.event.\"slow\".burst", "1")
            .overrideConfigKey("quarkus.socketio.inbound.bytes-per-second", "1000")
            .overrideConfigKey("quarkus.socketio.inbound.bytes-burst", "3000");

    @TestHTTPResource("/")
    URL root;

    @Inject
    ServerStats stats;

    @Test
    void eventsPastTheBurstAreAnsweredWithAnErrorThenTheBucketFillsAgain() throws Exception {
        long limited = stats.snapshot().get(ServerFigure.EVENTS_LIMITED);
        try (Client c = SlowClients.connect(root.getPort())) {
            int refused = 0;
            for (int i = 1; i <= 10; i++) {
                String answer = c.ask(i, "echo", "e" + i);
                if (answer.equals("[{\"error\":\"rate limited\"}]")) {
                    refused++;
                } else {
                    assertThat(answer).as("answer " + i + ", within the burst").isEqualTo("[\"e" + i + "\"]");
                    assertThat(refused).as("an event let through after one was refused, within the same burst").isZero();
                }
            }
            // 5 at once, plus what the bucket gained (2 a second) while the ten went back and forth
            assertThat(refused).isBetween(3, 5);
            assertThat(stats.snapshot().get(ServerFigure.EVENTS_LIMITED) - limited).isEqualTo(refused);
            // the bucket fills again: an event goes through within a second or so
            int[] id = { 100 };
            await().atMost(Duration.ofSeconds(5)).until(() -> c.ask(++id[0], "echo", "later").equals("[\"later\"]"));
            assertThat(SlowClients.App.REASONS).doesNotContainKey(c.id());
        }
    }

    @Test
    void anEventWithItsOwnLimitIsRefusedWhileOthersGoOn() throws Exception {
        try (Client c = SlowClients.connect(root.getPort())) {
            assertThat(c.ask(1, "slow", "first")).isEqualTo("[\"first\"]");
            assertThat(c.ask(2, "slow", "second")).isEqualTo("[{\"error\":\"rate limited\"}]");
            assertThat(c.ask(3, "echo", "other")).isEqualTo("[\"other\"]");
        }
    }

    @Test
    void aClientOverItsBytesIsRefusedUntilTheyFillAgain() throws Exception {
        try (Client c = SlowClients.connect(root.getPort())) {
            // one message larger than the burst goes, and leaves the client in debt
            String big = "x".repeat(5000);
            assertThat(c.ask(1, "echo", big)).isEqualTo("[\"" + big + "\"]");
            assertThat(c.ask(2, "echo", "small")).isEqualTo("[{\"error\":\"rate limited\"}]");
            int[] id = { 100 };
            await().atMost(Duration.ofSeconds(10)).until(() -> c.ask(++id[0], "echo", "later").equals("[\"later\"]"));
        }
    }
}
