package dev.qsio.it.nodesuites;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.qsio.ConnectionRefusedException;
import dev.qsio.Middleware;
import dev.qsio.OnConnect;
import dev.qsio.SocketIo;
import dev.qsio.SocketIoServer;
import dev.qsio.SocketIoSocket;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;

/**
 * {@code socket.io/test/middleware.ts}: Node's {@code io.use((socket, next) => ...)} is a {@link Middleware} method
 * here (completing admits the socket, {@link ConnectionRefusedException} refuses it with its message and data, a
 * {@code Uni} is middleware that takes time). Node's cases use the main namespace; here each case has a namespace of
 * its own, and its middleware is that namespace's, as {@code io.use} is the main namespace's.
 */
@QuarkusTest
@NodeFile("socket.io/test/middleware.ts")
class MiddlewareCasesTest extends NodeCases {

    /** Runs a {@code Uni} after a delay, as Node's cases call {@code next} from a {@code setTimeout}. */
    static Uni<Void> after(Vertx vertx, long ms, Runnable then) {
        return Uni.createFrom().emitter(e -> vertx.setTimer(ms, t -> {
            then.run();
            e.complete(null);
        }));
    }

    static int counter(SocketIoSocket socket, String key) {
        return ((AtomicInteger) socket.data().computeIfAbsent(key, k -> new AtomicInteger())).incrementAndGet();
    }

    @SocketIo("/mw-functions")
    static class Functions {
        @Middleware
        void first(SocketIoSocket socket) {
            counter(socket, "run");
        }

        @Middleware
        void second(SocketIoSocket socket) {
            counter(socket, "run");
        }

        @OnConnect
        void connect(SocketIoSocket socket) {
            socket.emit("outcome", socket.data().get("run").toString());
        }
    }

    @Test
    @NodeCase("middleware > should call functions")
    void everyMiddlewareRunsBeforeTheConnection() {
        String id = connect("/mw-functions");
        driver.await(id, "connect");
        assertThat(outcome(id)).isEqualTo("[\"2\"]");
    }

    static final AtomicInteger ERRORS_SECOND = new AtomicInteger();
    static final AtomicInteger ERRORS_CONNECTED = new AtomicInteger();

    @SocketIo("/mw-errors")
    static class Errors {
        @Middleware
        void first(SocketIoSocket socket) {
            throw new ConnectionRefusedException("Authentication error");
        }

        @Middleware
        void second(SocketIoSocket socket) {
            ERRORS_SECOND.incrementAndGet();
        }

        @OnConnect
        void connect(SocketIoSocket socket) {
            ERRORS_CONNECTED.incrementAndGet();
        }
    }

    @Test
    @NodeCase("middleware > should pass errors")
    void aRefusalStopsTheChainAndReachesTheClient() {
        String id = connect("/mw-errors");
        JsonNode error = driver.await(id, "connect_error");
        assertThat(error.path("message").asText()).isEqualTo("Authentication error");
        assertThat(ERRORS_SECOND).hasValue(0);
        assertThat(ERRORS_CONNECTED).hasValue(0);
        assertThat(driver.events(id, "connect")).isEmpty();
    }

    @SocketIo("/mw-object")
    static class WithData {
        @Middleware
        void refuse(SocketIoSocket socket) {
            throw new ConnectionRefusedException("Authentication error", Map.of("a", "b", "c", 3));
        }
    }

    @Test
    @NodeCase("middleware > should pass an object")
    void aRefusalCarriesItsData() {
        String id = connect("/mw-object");
        JsonNode error = driver.await(id, "connect_error");
        assertThat(error.path("message").asText()).isEqualTo("Authentication error");
        assertThat(error.path("data").path("a").asText()).isEqualTo("b");
        assertThat(error.path("data").path("c").asInt()).isEqualTo(3);
        assertThat(error.path("data").size()).isEqualTo(2);
    }

    @SocketIo("/mw-before-connection")
    static class BeforeConnection {
        @Middleware
        void name(SocketIoSocket socket) {
            socket.data().put("name", "guillermo");
        }

        @OnConnect
        void connect(SocketIoSocket socket) {
            socket.emit("outcome", socket.data().get("name"));
        }
    }

    @Test
    @NodeCase("middleware > should only call connection after fns")
    void theConnectionSeesWhatTheMiddlewareDid() {
        String id = connect("/mw-before-connection");
        assertThat(outcome(id)).isEqualTo("[\"guillermo\"]");
    }

    @SocketIo("/mw-lengthy")
    static class Lengthy {
        @Inject
        Vertx vertx;

        @Middleware
        Uni<Void> authenticate(SocketIoSocket socket) {
            socket.data().put("started", System.nanoTime());
            return after(vertx, 300, () -> socket.data().put("authenticated", true));
        }

        @OnConnect
        void connect(SocketIoSocket socket) {
            long waited = (System.nanoTime() - (long) socket.data().get("started")) / 1_000_000;
            socket.emit("outcome", socket.data().get("authenticated"), waited >= 300);
        }
    }

    @Test
    @NodeCase("middleware > should only call connection after (lengthy) fns")
    void theConnectionWaitsForSlowMiddleware() {
        String id = connect("/mw-lengthy");
        driver.await(id, "connect");
        assertThat(outcome(id)).isEqualTo("[true,true]");
    }

    static final AtomicInteger CLOSED_PASSED = new AtomicInteger();
    static final AtomicInteger CLOSED_CONNECTED = new AtomicInteger();

    @SocketIo("/mw-closed")
    static class Closed {
        @Inject
        Vertx vertx;

        @Middleware
        Uni<Void> closeFirst(SocketIoSocket socket) {
            // the client's connection ends while the middleware runs; the middleware then lets the socket through
            socket.conn().close();
            return after(vertx, 50, CLOSED_PASSED::incrementAndGet);
        }

        @OnConnect
        void connect(SocketIoSocket socket) {
            CLOSED_CONNECTED.incrementAndGet();
        }
    }

    @Test
    @NodeCase("middleware > should be ignored if socket gets closed")
    void aSocketWhoseConnectionClosedIsNotConnected() {
        connect("/mw-closed", Map.of("reconnection", false), Map.of());
        await().atMost(Duration.ofSeconds(10)).untilAtomic(CLOSED_PASSED, org.hamcrest.Matchers.greaterThan(0));
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2))
                .untilAsserted(() -> assertThat(CLOSED_CONNECTED).hasValue(0));
    }

    /** The main namespace's middleware: the clients (by their {@code case} query parameter) it ran for. */
    static final Set<String> MAIN_RAN_FOR = ConcurrentHashMap.newKeySet();

    @SocketIo("/")
    static class Main {
        @Middleware
        void record(SocketIoSocket socket) {
            String c = socket.handshake().queryParam("case");
            MAIN_RAN_FOR.add(c == null ? "?" : c);
        }
    }

    @SocketIo("/mw-order")
    static class Order {
        @Inject
        Vertx vertx;

        final List<Integer> result = new CopyOnWriteArrayList<>();

        @Middleware
        Uni<Void> one(SocketIoSocket socket) {
            result.add(1);
            return after(vertx, 50, () -> {
            });
        }

        @Middleware
        Uni<Void> two(SocketIoSocket socket) {
            result.add(2);
            return after(vertx, 50, () -> {
            });
        }

        @Middleware
        Uni<Void> three(SocketIoSocket socket) {
            result.add(3);
            return after(vertx, 50, () -> {
            });
        }

        @OnConnect
        void connect(SocketIoSocket socket) {
            socket.emit("outcome", List.copyOf(result));
        }
    }

    @Test
    @NodeCase("middleware > should call functions in expected order")
    void middlewareRunsInItsOrderOneAfterTheOther() {
        String id = connect("/mw-order", Map.of("query", Map.of("case", "order")), Map.of());
        assertThat(outcome(id)).isEqualTo("[[1,2,3]]");
        assertThat(MAIN_RAN_FOR).doesNotContain("order");
    }

    @SocketIo("/mw-merge")
    static class Merge {
        @Middleware
        void pass(SocketIoSocket socket) {
        }
    }

    @Test
    @NodeCase("middleware > should disable the merge of handshake packets")
    void aConnectionThroughMiddlewareCompletes() {
        for (String transports : List.of("polling", "websocket")) {
            String id = connect("/mw-merge", Map.of("transports", List.of(transports)), Map.of());
            assertThat(driver.await(id, "connect").path("transport").asText()).isEqualTo(transports);
        }
    }

    @SocketIo("/mw-custom")
    static class Custom {
        @Middleware
        void pass(SocketIoSocket socket) {
        }
    }

    @Test
    @NodeCase("middleware > should work with a custom namespace")
    void theMainNamespaceAndACustomOneBothConnect() {
        String main = connect("/", Map.of("query", Map.of("case", "custom-main")), Map.of());
        String custom = connect("/mw-custom", Map.of("query", Map.of("case", "custom")), Map.of());
        driver.await(main, "connect");
        driver.await(custom, "connect");
        assertThat(MAIN_RAN_FOR).contains("custom-main").doesNotContain("custom");
    }

    @SocketIo("/mw-connected")
    static class Connected {
        @Inject
        SocketIoServer io;

        @Middleware
        void during(SocketIoSocket socket) {
            socket.data().put("during", List.of(socket.connected(), io.of("/mw-connected").localSockets().size()));
        }

        @OnConnect
        void connect(SocketIoSocket socket) {
            socket.emit("outcome", socket.data().get("during"),
                    List.of(socket.connected(), io.of("/mw-connected").localSockets().size()));
        }
    }

    @Test
    @NodeCase("middleware > should only set `connected` to true after the middleware execution")
    void aSocketIsConnectedOnlyOnceItsMiddlewareHasRun() {
        String id = connect("/mw-connected");
        assertThat(outcome(id)).isEqualTo("[[false,0],[true,1]]");
    }
}
