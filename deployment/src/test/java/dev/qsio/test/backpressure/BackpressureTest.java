package dev.qsio.test.backpressure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URL;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.qsio.SocketIoSocket;
import dev.qsio.test.backpressure.SlowClients.Client;
import io.quarkus.test.QuarkusUnitTest;
import io.quarkus.test.common.http.TestHTTPResource;

/**
 * What the application sees of a client that reads slower than it is sent to: the bytes it has not taken, whether
 * it keeps up, and a completion when it has caught up.
 */
class BackpressureTest {

    @RegisterExtension
    static final QuarkusUnitTest test = new QuarkusUnitTest()
            .withApplicationRoot(SlowClients::addTo)
            // the rules that close slow clients stay out of the way here
            .overrideConfigKey("quarkus.socketio.slow-consumer.max-lag", "0");

    @TestHTTPResource("/")
    URL root;

    @Test
    void aClientThatStopsReadingIsNotWritableAndDrainedCompletesWhenItReadsAgain() throws Exception {
        try (Client client = SlowClients.connect(root.getPort())) {
            SocketIoSocket socket = client.socket();
            assertThat(socket.writable()).isTrue();
            assertThat(socket.bufferedBytes()).isZero();
            assertThat(socket.drained().subscribeAsCompletionStage()).isCompleted();

            int sent = SlowClients.fill(socket, 400);
            assertThat(socket.bufferedBytes()).as("bytes held for a client that reads nothing").isPositive();
            assertThat(socket.emitAndCheckWritable("chunk", sent, SlowClients.CHUNK)).isFalse();
            CompletableFuture<Void> drained = socket.drained().subscribeAsCompletionStage();
            assertThat(drained).isNotDone();

            // the client reads everything it was sent: the server sees it caught up
            for (int i = 0; i <= sent; i++) {
                client.readUntil("42[\"chunk\"," + i + ",");
            }
            await().atMost(Duration.ofSeconds(10)).until(drained::isDone);
            assertThat(drained).isCompleted();
            assertThat(socket.writable()).isTrue();
            assertThat(socket.bufferedBytes()).isZero();
            assertThat(socket.emitAndCheckWritable("chunk", sent + 1, "small")).isTrue();
            client.readUntil("42[\"chunk\"," + (sent + 1) + ",");
        }
    }

    @Test
    void drainedFailsWhenTheClientGoesFirst() throws Exception {
        CompletableFuture<Void> drained;
        try (Client client = SlowClients.connect(root.getPort())) {
            SocketIoSocket socket = client.socket();
            SlowClients.fill(socket, 400);
            drained = socket.drained().subscribeAsCompletionStage();
            assertThat(drained).isNotDone();
        }
        await().atMost(Duration.ofSeconds(10)).until(drained::isDone);
        assertThat(drained).isCompletedExceptionally();
    }
}
