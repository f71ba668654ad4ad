package dev.qsio.test.engine;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.qsio.runtime.engine.EngineEndpoints;
import dev.qsio.test.Failures;
import io.quarkus.test.QuarkusUnitTest;

/**
 * A stopping server closes its sessions spread over {@code drain-spread} rather than all in one instant, and returns
 * once the last is closed: of 20 sessions, some are closed while others are still open, the drain takes the spread,
 * and no new session is accepted meanwhile.
 */
class DrainSpreadTest {

    @RegisterExtension
    static final QuarkusUnitTest test = new QuarkusUnitTest()
            .withApplicationRoot(root -> root.addClasses(Failures.class, Failures.AnyNamespace.class))
            .overrideConfigKey("quarkus.socketio.drain-spread", "1s");

    @Inject
    EngineEndpoints engines;

    int open() {
        return engines.servers().stream().mapToInt(s -> s.sessions().size()).sum();
    }

    @Test
    void theSessionsAreClosedOverTheSpread() throws Exception {
        for (int i = 0; i < 20; i++) {
            given().queryParam("EIO", "4").queryParam("transport", "polling").get("/socket.io/").then().statusCode(200);
        }
        assertThat(open()).isEqualTo(20);
        long start = System.nanoTime();
        CompletableFuture<Long> drained = CompletableFuture.supplyAsync(() -> {
            engines.drain();
            return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        });
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(5)).alias("some sessions closed, others not yet")
                .until(() -> open() > 0 && open() < 20);
        given().queryParam("EIO", "4").queryParam("transport", "polling").get("/socket.io/").then().statusCode(403);
        long drainMs = drained.get(10, TimeUnit.SECONDS);
        assertThat(drainMs).as("the drain returns once the last session is closed, a spread after it began")
                .isBetween(950L, 6000L);
        assertThat(open()).isZero();
    }
}
