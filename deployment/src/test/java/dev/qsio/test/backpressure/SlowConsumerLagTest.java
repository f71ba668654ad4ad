package dev.qsio.test.backpressure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URL;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.qsio.SocketIoSocket;
import dev.qsio.runtime.engine.EngineEndpoints;
import dev.qsio.runtime.engine.EngineFigure;
import dev.qsio.test.RawConnection;
import dev.qsio.test.backpressure.SlowClients.Client;
import io.quarkus.test.QuarkusUnitTest;
import io.quarkus.test.common.http.TestHTTPResource;

/** A client that stays behind longer than {@code slow-consumer.max-lag} is closed; one that reads is not. */
class SlowConsumerLagTest {

    @RegisterExtension
    static final QuarkusUnitTest test = new QuarkusUnitTest()
            .withApplicationRoot(SlowClients::addTo)
            .overrideConfigKey("quarkus.socketio.slow-consumer.max-lag", "500ms")
            .overrideConfigKey("quarkus.socketio.slow-consumer.lag-bytes", "100000")
            .overrideConfigKey("quarkus.socketio.slow-consumer.check-interval", "100ms")
            // the per-session bound is far: the lag rule is what closes
            .overrideConfigKey("quarkus.socketio.max-buffered-bytes", "500000000");

    @TestHTTPResource("/")
    URL root;

    @Inject
    EngineEndpoints endpoints;

    @Test
    void theClientThatStopsReadingIsClosedAndTheOneThatReadsGetsEverything() throws Exception {
        long lagged = SlowClients.figure(endpoints, EngineFigure.SLOW_CONSUMERS_LAGGED);
        try (Client slow = SlowClients.connect(root.getPort()); Client reader = SlowClients.connect(root.getPort())) {
            SocketIoSocket slowSocket = slow.socket();
            SocketIoSocket readerSocket = reader.socket();
            AtomicInteger read = new AtomicInteger();
            Thread readerThread = new Thread(() -> {
                try {
                    RawConnection.Frame f;
                    while ((f = reader.connection().next()) != null) {
                        if (f.opcode() == 1 && f.text().startsWith("42[\"chunk\"")) {
                            read.incrementAndGet();
                        }
                    }
                } catch (java.io.IOException e) {
                    // the test closed the connection
                }
            }, "reading client");
            readerThread.start();

            int sent = 0;
            // both are sent the same stream until the slow one is closed, which the lag rule does within its
            // 500 ms plus a check or two; bounded so that a broken rule fails rather than runs forever
            while (slowSocket.connected() && sent < 5000) {
                slowSocket.emit("chunk", sent, SlowClients.CHUNK);
                readerSocket.emit("chunk", sent, SlowClients.CHUNK);
                sent++;
                if (sent % 50 == 0) {
                    int expected = sent;
                    // the stream goes at the reading client's pace
                    await().atMost(Duration.ofSeconds(10)).until(() -> read.get() >= expected - 50);
                }
            }
            assertThat(slowSocket.connected()).as("the client that reads nothing, after " + sent + " chunks").isFalse();
            await().atMost(Duration.ofSeconds(10)).until(() -> SlowClients.App.REASONS.containsKey(slow.id()));
            assertThat(SlowClients.App.REASONS.get(slow.id())).isEqualTo("slow consumer");
            assertThat(SlowClients.figure(endpoints, EngineFigure.SLOW_CONSUMERS_LAGGED)).isEqualTo(lagged + 1);
            assertThat(slow.endedWithin(Duration.ofSeconds(10))).isTrue();

            int total = sent;
            await().atMost(Duration.ofSeconds(10)).until(() -> read.get() == total);
            assertThat(readerSocket.connected()).isTrue();
            assertThat(SlowClients.App.REASONS).doesNotContainKey(reader.id());
        }
    }
}
