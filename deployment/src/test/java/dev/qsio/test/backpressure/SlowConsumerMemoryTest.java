package dev.qsio.test.backpressure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URL;
import java.time.Duration;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.qsio.SocketIoSocket;
import dev.qsio.runtime.engine.EngineEndpoints;
import dev.qsio.runtime.engine.EngineFigure;
import dev.qsio.test.backpressure.SlowClients.Client;
import io.quarkus.test.QuarkusUnitTest;
import io.quarkus.test.common.http.TestHTTPResource;

/**
 * When the clients together hold more than {@code slow-consumer.max-total-bytes} unread, the ones holding the most
 * are closed first, until the rest is under it.
 */
class SlowConsumerMemoryTest {

    static final long MAX_TOTAL = 8_000_000;

    @RegisterExtension
    static final QuarkusUnitTest test = new QuarkusUnitTest()
            .withApplicationRoot(SlowClients::addTo)
            .overrideConfigKey("quarkus.socketio.slow-consumer.max-lag", "0")
            .overrideConfigKey("quarkus.socketio.slow-consumer.max-total-bytes", Long.toString(MAX_TOTAL))
            .overrideConfigKey("quarkus.socketio.slow-consumer.check-interval", "100ms")
            .overrideConfigKey("quarkus.socketio.max-buffered-bytes", "500000000");

    @TestHTTPResource("/")
    URL root;

    @Inject
    EngineEndpoints endpoints;

    @Test
    void theClientsHoldingTheMostAreClosedFirst() throws Exception {
        long shed = SlowClients.figure(endpoints, EngineFigure.SLOW_CONSUMERS_SHED);
        try (Client small = SlowClients.connect(root.getPort()); Client large = SlowClients.connect(root.getPort())) {
            SocketIoSocket smallSocket = small.socket();
            SocketIoSocket largeSocket = large.socket();
            SlowClients.fill(smallSocket, 300);
            long smallHeld = smallSocket.bufferedBytes();
            assertThat(smallHeld).as("held for the first client").isPositive().isLessThan(MAX_TOTAL);
            // the second is sent far more than the first: together over the bound, the second alone too
            SlowClients.fill(largeSocket, 300);
            for (int i = 0; i < 500 && largeSocket.connected(); i++) {
                largeSocket.emit("chunk", -1, SlowClients.CHUNK);
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> !largeSocket.connected());
            await().atMost(Duration.ofSeconds(10)).until(() -> SlowClients.App.REASONS.containsKey(large.id()));
            assertThat(SlowClients.App.REASONS.get(large.id())).isEqualTo("slow consumer");
            assertThat(SlowClients.figure(endpoints, EngineFigure.SLOW_CONSUMERS_SHED)).isEqualTo(shed + 1);
            // the one holding less stays: without the other, the process is under its bound
            assertThat(smallSocket.connected()).isTrue();
            assertThat(smallSocket.bufferedBytes()).isPositive();
            assertThat(large.endedWithin(Duration.ofSeconds(10))).isTrue();
        }
    }
}
