package dev.qsio.test.engine;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.qsio.runtime.engine.EngineEndpoints;
import dev.qsio.test.Failures;
import io.quarkus.test.QuarkusUnitTest;
import io.quarkus.test.common.http.TestHTTPResource;

/**
 * A stopping server closes its sessions gracefully, spread over {@code drain-spread} rather than all in one instant,
 * and returns once the last has ended: of 20 polling sessions, each with its client's poll, some are closed while
 * others are still open; each poll is answered with the close packet, the first and the last apart; the drain takes
 * the spread; no new session is accepted meanwhile.
 */
class DrainSpreadTest {

    @RegisterExtension
    static final QuarkusUnitTest test = new QuarkusUnitTest()
            .withApplicationRoot(root -> root.addClasses(Failures.class, Failures.AnyNamespace.class))
            .overrideConfigKey("quarkus.socketio.drain-spread", "1s");

    @TestHTTPResource("/socket.io/")
    URL endpoint;

    @Inject
    EngineEndpoints engines;

    int open() {
        return engines.servers().stream().mapToInt(s -> s.sessions().size()).sum();
    }

    @Test
    void theSessionsAreClosedGracefullyOverTheSpread() throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        List<CompletableFuture<HttpResponse<String>>> polls = new ArrayList<>();
        List<CompletableFuture<Long>> answeredAt = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            String body = given().queryParam("EIO", "4").queryParam("transport", "polling").get("/socket.io/")
                    .then().statusCode(200).extract().asString();
            int s = body.indexOf("\"sid\":\"") + 7;
            String sid = body.substring(s, body.indexOf('"', s));
            CompletableFuture<HttpResponse<String>> poll = http.sendAsync(HttpRequest.newBuilder(
                    URI.create(endpoint + "?EIO=4&transport=polling&sid=" + sid)).timeout(Duration.ofSeconds(30)).GET()
                    .build(), HttpResponse.BodyHandlers.ofString());
            polls.add(poll);
            answeredAt.add(poll.thenApply(r -> System.nanoTime()));
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
        assertThat(open()).isZero();
        List<Long> times = new ArrayList<>();
        for (int i = 0; i < polls.size(); i++) {
            HttpResponse<String> r = polls.get(i).get(10, TimeUnit.SECONDS);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).as("the answer to the poll of a session closed gracefully").isEqualTo("1");
            times.add(answeredAt.get(i).get());
        }
        assertThat(drainMs).as("the drain returns once the last session has ended, a spread after it began")
                .isBetween(950L, 2900L);
        long firstToLastMs = TimeUnit.NANOSECONDS.toMillis(times.stream().max(Long::compare).orElseThrow()
                - times.stream().min(Long::compare).orElseThrow());
        assertThat(firstToLastMs).as("the first and the last session's polls answered apart").isGreaterThanOrEqualTo(500L);
    }
}
