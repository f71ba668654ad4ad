package dev.qsio.test.backpressure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.fasterxml.jackson.databind.JsonNode;

import dev.qsio.SocketIoServer;
import dev.qsio.SocketIoSocket;
import dev.qsio.runtime.admin.AdminLoginFigure;
import dev.qsio.runtime.engine.EngineEndpoints;
import dev.qsio.runtime.engine.EngineFigure;
import dev.qsio.runtime.figures.Figure;
import dev.qsio.runtime.server.ServerFigure;
import dev.qsio.test.admin.Chat;
import dev.qsio.test.backpressure.SlowClients.Client;
import dev.qsio.testkit.ClientSocket;
import dev.qsio.testkit.SocketIoConnector;
import dev.qsio.testkit.Transport;
import io.quarkus.test.QuarkusUnitTest;
import io.quarkus.test.common.http.TestHTTPResource;

/**
 * The Admin UI's server stats carry what the limits did so far ({@code limits}, by group as in the cluster endpoint):
 * every figure of a limit, and the volatile packets a client that stopped reading missed, counted as they happen.
 */
class AdminUiLimitsStatsTest {

    @RegisterExtension
    static final QuarkusUnitTest test = new QuarkusUnitTest()
            .withApplicationRoot(SlowClients::addTo)
            .overrideConfigKey("quarkus.socketio.admin-ui.enabled", "true")
            .overrideConfigKey("quarkus.socketio.admin-ui.username", "admin")
            .overrideConfigKey("quarkus.socketio.admin-ui.password", Chat.HASH_2A)
            .overrideConfigKey("quarkus.socketio.max-buffered-bytes", "500000000");

    @TestHTTPResource("/")
    URL root;

    @Inject
    SocketIoServer server;

    @Inject
    EngineEndpoints endpoints;

    @Test
    void theServerStatsCountTheVolatilePacketsASlowClientMissed() throws Exception {
        try (Client slow = SlowClients.connect(root.getPort())) {
            SocketIoSocket socket = slow.socket();
            SlowClients.fill(socket, 400);
            long before = SlowClients.figure(endpoints, EngineFigure.VOLATILE_DROPPED);
            for (int i = 0; i < 10; i++) {
                server.of("/").to(socket.id()).volatile_().emit("tick", i);
            }
            // the broadcast goes out on the connection's event loop, which counts what it drops
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> SlowClients.figure(endpoints, EngineFigure.VOLATILE_DROPPED) >= before + 10);
            assertThat(SlowClients.figure(endpoints, EngineFigure.VOLATILE_DROPPED)).as("each of the 10, once")
                    .isEqualTo(before + 10);

            try (ClientSocket ui = SocketIoConnector.create().namespace("/admin").transports(Transport.WEBSOCKET)
                    .auth(Map.of("username", "admin", "password", "s3cret")).connectAndAwait()) {
                JsonNode limits = await().atMost(Duration.ofSeconds(10)).until(() -> ui.events("server_stats").stream()
                        .map(s -> s.arg().get("limits")).filter(l -> l != null
                                && l.path("engine").path("volatileDrops").asLong() == before + 10)
                        .findFirst().orElse(null), l -> l != null);
                assertThat(fieldNames(limits)).containsExactlyInAnyOrder("engine", "socketio", "adminLogins");
                assertThat(fieldNames(limits.get("engine"))).as("every limit of the engine, none else")
                        .containsExactlyInAnyOrderElementsOf(limitKeys(EngineFigure.values()));
                assertThat(fieldNames(limits.get("socketio"))).containsExactlyInAnyOrderElementsOf(limitKeys(ServerFigure.values()));
                assertThat(fieldNames(limits.get("adminLogins")))
                        .containsExactlyInAnyOrderElementsOf(limitKeys(AdminLoginFigure.values()));
                assertThat(limits.get("engine").get("bufferOverflows").asLong()).isZero();
            }
        }
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static List<String> limitKeys(Figure[] figures) {
        return Arrays.stream(figures).filter(Figure::limit).map(Figure::key).toList();
    }
}
