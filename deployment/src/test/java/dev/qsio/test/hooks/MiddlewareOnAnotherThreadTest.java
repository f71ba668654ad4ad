package dev.qsio.test.hooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import jakarta.annotation.Priority;
import jakarta.enterprise.inject.Alternative;
import jakarta.inject.Singleton;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.qsio.Middleware;
import dev.qsio.OnConnect;
import dev.qsio.SocketIo;
import dev.qsio.SocketIoSocket;
import dev.qsio.runtime.spans.Tracing;
import dev.qsio.test.JavaClient;
import io.quarkus.test.QuarkusUnitTest;
import io.quarkus.test.common.http.TestHTTPResource;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;

/**
 * A middleware whose {@code Uni} completes on a thread of its own (a password check off the event loop, as the Admin
 * UI's) admits a socket that connects on its connection's event loop: it connected on the middleware's thread before,
 * half made while the event loop worked on the same connection (the Admin UI's upgrade observer then replaced the
 * login's session before it was sent). The server's own hook at the connect ({@link Tracing#connected}) says where.
 */
class MiddlewareOnAnotherThreadTest {

    static final ExecutorService CHECKS = Executors.newSingleThreadExecutor(r -> new Thread(r, "password-check"));
    static final List<String> CONNECTED_ON = new CopyOnWriteArrayList<>();

    @SocketIo("/guarded")
    public static class Guarded {

        @Middleware
        Uni<Void> check(SocketIoSocket socket) {
            return Uni.createFrom().voidItem().emitOn(CHECKS);
        }

        @OnConnect
        void connected(SocketIoSocket socket) {
        }
    }

    /** Records the thread of each connect, as a tracing view would begin its span there. */
    @Alternative
    @Priority(1)
    @Singleton
    public static class ThreadRecordingTracing implements Tracing {

        @Override
        public Object connected(SocketIoSocket socket) {
            CONNECTED_ON.add((Context.isOnEventLoopThread() ? "event loop " : "not an event loop ")
                    + Thread.currentThread().getName());
            return null;
        }
    }

    @RegisterExtension
    static final QuarkusUnitTest test = new QuarkusUnitTest()
            .withApplicationRoot(root -> root.addClasses(Guarded.class, ThreadRecordingTracing.class, JavaClient.class));

    @TestHTTPResource("/")
    java.net.URL url;

    @Test
    void theSocketConnectsOnItsEventLoop() throws Exception {
        for (int i = 0; i < 5; i++) {
            try (JavaClient client = JavaClient.connect(url.getPort(), "/guarded", Map.of())) {
                client.awaitConnected();
            }
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> CONNECTED_ON.size() == 5);
        assertThat(CONNECTED_ON).allMatch(t -> t.startsWith("event loop "));
    }
}
