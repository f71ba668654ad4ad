package dev.qsio.test.engine;

import static dev.qsio.test.engine.Handshakes.handshake;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URL;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.qsio.AsyncHandshakeFilter;
import dev.qsio.HandshakeFilter.Decision;
import dev.qsio.HandshakeRequest;
import dev.qsio.OnConnect;
import dev.qsio.SocketIo;
import dev.qsio.runtime.engine.EngineEndpoints;
import dev.qsio.runtime.engine.EngineFigure;
import dev.qsio.test.RawConnection;
import io.quarkus.test.QuarkusUnitTest;
import io.quarkus.test.common.http.TestHTTPResource;
import io.smallrye.mutiny.Uni;

/**
 * A client that closes its connection while its {@link AsyncHandshakeFilter} check runs gets nothing opened for it, on
 * polling and on WebSocket: the check's {@code Uni} is cancelled, no session opens when the store answers after all,
 * and nothing counts against its address's {@code sessions-per-address} (1 here: the address opens its one session
 * afterwards). The addresses are taken from {@code X-Forwarded-For} of this trusted peer.
 */
class AsyncHandshakeFilterLeaveTest {

    @RegisterExtension
    static final QuarkusUnitTest test = new QuarkusUnitTest()
            .withApplicationRoot(root -> root.addClasses(Store.class, Main.class, Handshakes.class, RawConnection.class))
            .overrideConfigKey("quarkus.http.test-port", "0")
            .overrideConfigKey("quarkus.http.proxy.proxy-address-forwarding", "true")
            .overrideConfigKey("quarkus.http.proxy.allow-x-forwarded", "true")
            .overrideConfigKey("quarkus.http.proxy.trusted-proxies", "127.0.0.1")
            .overrideConfigKey("quarkus.socketio.limits.sessions-per-address", "1");

    /** Answers a handshake from an address when the test says; every other at once. */
    @Singleton
    public static class Store implements AsyncHandshakeFilter {
        static final Map<String, CompletableFuture<Decision>> held = new ConcurrentHashMap<>();
        static final AtomicInteger cancelled = new AtomicInteger();

        @Override
        public Uni<Decision> check(HandshakeRequest request) {
            if (!"held".equals(request.queryParam("ticket"))) {
                return Uni.createFrom().item(Decision.allow());
            }
            return Uni.createFrom().completionStage(held.computeIfAbsent(request.header("x-forwarded-for"),
                    a -> new CompletableFuture<>())).onCancellation().invoke(cancelled::incrementAndGet);
        }
    }

    @SocketIo
    public static class Main {
        @OnConnect
        void connected() {
        }
    }

    @Inject
    EngineEndpoints engines;

    @TestHTTPResource("/")
    URL base;

    private long figure(EngineFigure figure) {
        return Handshakes.figure(engines, figure);
    }

    private int sessions() {
        return engines.servers().stream().mapToInt(s -> s.sessions().size()).sum();
    }

    @Test
    void aPollingClientThatLeavesWhileItsCheckRunsLeavesNothingBehind() throws Exception {
        leaveWhileChecked("10.0.9.1", "transport=polling", "");
    }

    @Test
    void aWebSocketClientThatLeavesWhileItsCheckRunsLeavesNothingBehind() throws Exception {
        leaveWhileChecked("10.0.9.2", "transport=websocket", "Connection: Upgrade\r\nUpgrade: websocket\r\n"
                + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n");
    }

    private void leaveWhileChecked(String address, String transport, String headers) throws Exception {
        long abandoned = figure(EngineFigure.HANDSHAKES_ABANDONED);
        long accepted = figure(EngineFigure.HANDSHAKES_ACCEPTED);
        int cancelled = Store.cancelled.get();
        int open = sessions();
        try (RawConnection connection = new RawConnection(base.getPort())) {
            connection.write("GET /socket.io/?EIO=4&" + transport + "&ticket=held HTTP/1.1\r\nHost: localhost\r\n"
                    + "X-Forwarded-For: " + address + "\r\n" + headers + "\r\n");
            await().atMost(Duration.ofSeconds(10)).until(() -> Store.held.containsKey(address));
            assertThat(figure(EngineFigure.HANDSHAKES_WAITING)).isEqualTo(1);
        }
        // seen when the connection closes, well before the check's timeout (10 s) would end the wait anyway
        await().atMost(Duration.ofSeconds(5)).until(() -> figure(EngineFigure.HANDSHAKES_ABANDONED) == abandoned + 1);
        assertThat(Store.cancelled.get()).as("the check's Uni is cancelled").isEqualTo(cancelled + 1);
        assertThat(figure(EngineFigure.HANDSHAKES_WAITING)).isZero();

        // the store answers after all: nothing opens
        Store.held.get(address).complete(Decision.allow());
        assertThat(sessions()).isEqualTo(open);
        assertThat(figure(EngineFigure.HANDSHAKES_ACCEPTED)).isEqualTo(accepted);

        // the address holds no session: it opens its one, and a second is over its limit
        assertThat(handshake(address).statusCode()).isEqualTo(200);
        assertThat(handshake(address).statusCode()).isEqualTo(429);
    }
}
