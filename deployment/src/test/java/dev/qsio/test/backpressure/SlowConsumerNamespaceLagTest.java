package dev.qsio.test.backpressure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URL;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.qsio.OnConnect;
import dev.qsio.SocketIo;
import dev.qsio.SocketIoSocket;
import dev.qsio.runtime.engine.EngineEndpoints;
import dev.qsio.runtime.engine.EngineFigure;
import dev.qsio.test.backpressure.SlowClients.Client;
import io.quarkus.test.QuarkusUnitTest;
import io.quarkus.test.common.http.TestHTTPResource;

/**
 * A namespace's own {@code max-lag} and {@code lag-bytes} hold the clients connected to it, and only them: a client of
 * {@code /strict} that stops reading is closed by its rule while one of the main namespace only, further behind and
 * for longer, is held to the process's.
 */
class SlowConsumerNamespaceLagTest {

    @RegisterExtension
    static final QuarkusUnitTest test = new QuarkusUnitTest()
            .withApplicationRoot(jar -> {
                SlowClients.addTo(jar);
                jar.addClasses(Strict.class);
            })
            .overrideConfigKey("quarkus.socketio.slow-consumer.namespace.\"/strict\".max-lag", "500ms")
            .overrideConfigKey("quarkus.socketio.slow-consumer.namespace.\"/strict\".lag-bytes", "100000")
            .overrideConfigKey("quarkus.socketio.slow-consumer.check-interval", "100ms")
            // the process's rule: 60 s behind 1 MB; the per-session bound is far
            .overrideConfigKey("quarkus.socketio.max-buffered-bytes", "500000000");

    @SocketIo("/strict")
    public static class Strict {
        static final Map<String, SocketIoSocket> SOCKETS = new ConcurrentHashMap<>();

        @OnConnect
        void connect(SocketIoSocket socket) {
            SOCKETS.put(socket.id(), socket);
        }
    }

    @TestHTTPResource("/")
    URL root;

    @Inject
    EngineEndpoints endpoints;

    @Test
    void theStrictNamespacesClientIsClosedAndTheMainNamespacesOneIsNot() throws Exception {
        long lagged = SlowClients.figure(endpoints, EngineFigure.SLOW_CONSUMERS_LAGGED);
        try (Client loose = SlowClients.connect(root.getPort()); Client strict = SlowClients.connect(root.getPort())) {
            strict.connection().sendText("40/strict,");
            strict.readUntil("40/strict,{");
            await().atMost(Duration.ofSeconds(10)).until(() -> Strict.SOCKETS.size() == 1);
            SocketIoSocket strictSocket = Strict.SOCKETS.values().iterator().next();

            // the main namespace's client first: behind by more than the strict rule's bytes, for longer
            SocketIoSocket looseSocket = loose.socket();
            SlowClients.fill(looseSocket, 400);
            long looseBehindSince = System.nanoTime();
            assertThat(looseSocket.bufferedBytes()).as("held for the main namespace's client").isGreaterThan(100_000);

            SlowClients.fill(strictSocket, 400);
            await().atMost(Duration.ofSeconds(10)).until(() -> !strictSocket.connected());
            long looseBehind = System.nanoTime() - looseBehindSince;
            await().atMost(Duration.ofSeconds(10)).until(() -> SlowClients.App.REASONS.containsKey(strict.id()));
            assertThat(SlowClients.App.REASONS.get(strict.id())).as("its socket of the main namespace too")
                    .isEqualTo("slow consumer");
            assertThat(SlowClients.figure(endpoints, EngineFigure.SLOW_CONSUMERS_LAGGED)).isEqualTo(lagged + 1);

            assertThat(Duration.ofNanos(looseBehind)).as("the main namespace's client was behind longer")
                    .isGreaterThan(Duration.ofMillis(500));
            assertThat(looseSocket.bufferedBytes()).isGreaterThan(100_000);
            assertThat(looseSocket.connected()).as("held to the process's rule: 60 s").isTrue();
            assertThat(SlowClients.App.REASONS).doesNotContainKey(loose.id());
        }
    }
}
