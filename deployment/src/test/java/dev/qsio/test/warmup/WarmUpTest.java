package dev.qsio.test.warmup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.qsio.HandshakeFilter;
import dev.qsio.HandshakeRequest;
import dev.qsio.OnConnect;
import dev.qsio.SocketIo;
import dev.qsio.runtime.engine.EngineEndpoints;
import dev.qsio.runtime.engine.EngineFigure;
import dev.qsio.runtime.server.ServerFigure;
import dev.qsio.runtime.server.ServerStats;
import dev.qsio.runtime.server.WarmUp;
import dev.qsio.test.JavaClient;
import io.quarkus.test.QuarkusUnitTest;

/**
 * The warm-up of the connection path ({@code quarkus.socketio.warm-up}) opens its sessions, over every transport mix,
 * before the application takes its first client, and nothing of the application sees them: its connection handler,
 * its handshake filter, its limits per address (one session per address here, which 32 concurrent loopback sessions
 * would exceed at once), the engine's figures and the server's. The first real client is then the first of each.
 */
class WarmUpTest {

    @RegisterExtension
    static final QuarkusUnitTest test = new QuarkusUnitTest()
            .withApplicationRoot(root -> root.addClasses(Main.class, Filter.class, JavaClient.class))
            .overrideConfigKey("quarkus.socketio.warm-up.connections", "300")
            .overrideConfigKey("quarkus.socketio.limits.sessions-per-address", "1")
            .overrideConfigKey("quarkus.socketio.limits.handshakes-per-second-per-address", "1");

    @SocketIo
    public static class Main {
        static final AtomicInteger CONNECTED = new AtomicInteger();

        @OnConnect
        void connected() {
            CONNECTED.incrementAndGet();
        }
    }

    @Singleton
    public static class Filter implements HandshakeFilter {
        static final AtomicInteger CHECKED = new AtomicInteger();

        @Override
        public Decision check(HandshakeRequest request) {
            CHECKED.incrementAndGet();
            return Decision.allow();
        }
    }

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    @Inject
    WarmUp warmUp;

    @Inject
    EngineEndpoints engines;

    @Inject
    ServerStats stats;

    private long figure(EngineFigure figure) {
        return engines.servers().stream().mapToLong(s -> s.stats().snapshot().get(figure)).sum();
    }

    @Test
    void theWarmUpRanAndNothingOfTheApplicationSawIt() throws Exception {
        WarmUp.Result result = warmUp.last();
        assertThat(result).as("the warm-up ran before the tests").isNotNull();
        assertThat(result.sessions()).as("every session of the warm-up completed: %s", result).isEqualTo(300);
        assertThat(result.failed()).isZero();
        assertThat(result.timedOut()).isFalse();
        // then it waited for the JIT compiler: a whole window of readings at least, and the compiler went quiet within
        // the timeout (20 s by default) after 300 sessions
        assertThat(result.compilerMillis()).as("%s", result).isGreaterThanOrEqualTo(1000L);
        assertThat(result.compilerQuiet()).as("%s", result).isTrue();

        assertThat(Main.CONNECTED.get()).as("connection handler").isZero();
        assertThat(Filter.CHECKED.get()).as("handshake filter").isZero();
        assertThat(figure(EngineFigure.HANDSHAKES_ACCEPTED)).isZero();
        assertThat(figure(EngineFigure.HANDSHAKES_REFUSED)).isZero();
        assertThat(engines.servers().stream().mapToInt(s -> s.sessions().size()).sum()).isZero();
        assertThat(stats.snapshot().get(ServerFigure.PACKETS_IN)).isZero();

        // the first client of the application: its one session per address is free, and it is counted
        try (JavaClient client = JavaClient.connect(port, "/", Map.of())) {
            client.awaitConnected();
            await().atMost(Duration.ofSeconds(10)).until(() -> Main.CONNECTED.get() == 1);
            assertThat(Filter.CHECKED.get()).isEqualTo(1);
            assertThat(figure(EngineFigure.HANDSHAKES_ACCEPTED)).isEqualTo(1);
            assertThat(figure(EngineFigure.HANDSHAKES_REFUSED)).isZero();
        }
    }
}
