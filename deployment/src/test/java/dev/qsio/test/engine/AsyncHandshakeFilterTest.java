package dev.qsio.test.engine;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.logging.Level;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.qsio.AsyncHandshakeFilter;
import dev.qsio.HandshakeFilter;
import dev.qsio.HandshakeFilter.Decision;
import dev.qsio.HandshakeRequest;
import dev.qsio.OnEvent;
import dev.qsio.SocketIo;
import dev.qsio.runtime.engine.EngineEndpoints;
import dev.qsio.runtime.engine.EngineFigure;
import dev.qsio.test.JavaClient;
import io.quarkus.test.QuarkusUnitTest;
import io.quarkus.test.common.http.TestHTTPResource;
import io.restassured.response.Response;
import io.smallrye.mutiny.Uni;

/**
 * {@link AsyncHandshakeFilter}: Node's {@code allowRequest} answering when it likes. A check that answers later on
 * another thread admits or refuses the handshake with the synchronous filter's answers; one that never answers is
 * refused at {@code handshake-filter-timeout} with 503; one that fails with 403. The synchronous filters come first,
 * the asynchronous ones one after the other, the first refusal wins. One event loop serves the application, and a
 * handshake waiting on its check does not hold it: another client connects and exchanges an event meanwhile.
 */
class AsyncHandshakeFilterTest {

    @RegisterExtension
    static final QuarkusUnitTest test = new QuarkusUnitTest()
            .withApplicationRoot(root -> root.addClasses(Addresses.class, Tickets.class, Quotas.class, Echo.class,
                    JavaClient.class, Handshakes.class))
            .overrideConfigKey("quarkus.http.test-port", "0")
            .overrideConfigKey("quarkus.socketio.handshake-filter-timeout", "3s")
            .overrideConfigKey("quarkus.vertx.event-loops-pool-size", "1")
            .setLogRecordPredicate(r -> r.getLoggerName().startsWith("dev.qsio")
                    && r.getLevel().intValue() >= Level.WARNING.intValue())
            // a timeout at WARN and a failure at ERROR, each naming the filter's class
            .assertLogRecords(records -> {
                assertThat(records).anyMatch(r -> r.getLevel().equals(Level.WARNING)
                        && Handshakes.text(r).contains(Tickets.class.getName())
                        && Handshakes.text(r).contains("handshake-filter-timeout"));
                assertThat(records).anyMatch(r -> r.getLevel().equals(Level.SEVERE)
                        && Handshakes.text(r).contains(Tickets.class.getName()) && r.getThrown() != null
                        && r.getThrown().getMessage().contains("the ticket store is down"));
            });

    /** What the filters were asked, in order: {@code sync:<ticket>}, {@code ticket:<ticket>}, ... */
    static final List<String> calls = new CopyOnWriteArrayList<>();

    /** A synchronous filter: refuses {@code sync=no}. */
    @Singleton
    public static class Addresses implements HandshakeFilter {
        @Override
        public Decision check(HandshakeRequest request) {
            calls.add("sync:" + request.queryParam("ticket"));
            return "no".equals(request.queryParam("sync")) ? Decision.refuse("Address not allowed") : Decision.allow();
        }
    }

    /**
     * Looks the {@code ticket} up in a store that answers 100 ms later on another thread: {@code ok...} is allowed,
     * {@code fail} fails, {@code null} answers nothing, {@code never} never answers, {@code held-...} answers when the
     * test says; any other is refused.
     */
    @Singleton
    public static class Tickets implements AsyncHandshakeFilter {
        static final Map<String, CompletableFuture<Decision>> held = new ConcurrentHashMap<>();
        static final AtomicInteger cancelled = new AtomicInteger();
        /** The threads the checks were called on. */
        static final List<String> calledOn = new CopyOnWriteArrayList<>();

        @Override
        public Uni<Decision> check(HandshakeRequest request) {
            String ticket = request.queryParam("ticket");
            calls.add("ticket:" + ticket);
            calledOn.add(Thread.currentThread().getName());
            if (ticket == null) {
                return Uni.createFrom().item(Decision.allow());
            }
            if (ticket.equals("never")) {
                return Uni.createFrom().<Decision> nothing().onCancellation().invoke(cancelled::incrementAndGet);
            }
            if (ticket.startsWith("held-")) {
                return Uni.createFrom().completionStage(held.computeIfAbsent(ticket, t -> new CompletableFuture<>()));
            }
            return later(ticket, () -> switch (ticket) {
                case "fail" -> throw new IllegalStateException("the ticket store is down");
                case "null" -> null;
                default -> ticket.startsWith("ok") ? Decision.allow() : Decision.refuse("Unknown ticket");
            });
        }
    }

    /** A second asynchronous filter: refuses {@code quota=no}, 100 ms later on another thread. */
    @Singleton
    public static class Quotas implements AsyncHandshakeFilter {
        @Override
        public Uni<Decision> check(HandshakeRequest request) {
            calls.add("quota:" + request.queryParam("ticket"));
            return later(request.queryParam("ticket"),
                    () -> "no".equals(request.queryParam("quota")) ? Decision.refuse("Over quota") : Decision.allow());
        }
    }

    /** An answer 100 ms later on a thread of the common pool, as a store's client gives it; noted in {@link #calls}. */
    static Uni<HandshakeFilter.Decision> later(String ticket, Supplier<HandshakeFilter.Decision> answer) {
        return Uni.createFrom().completionStage(() -> CompletableFuture.supplyAsync(() -> {
            calls.add("answered:" + ticket + " on " + Thread.currentThread().getName());
            return answer.get();
        }, CompletableFuture.delayedExecutor(100, TimeUnit.MILLISECONDS)));
    }

    @SocketIo
    public static class Echo {
        @OnEvent("echo")
        String echo(String text) {
            return text;
        }
    }

    @Inject
    EngineEndpoints engines;

    @TestHTTPResource("/socket.io/")
    URL base;

    private long figure(EngineFigure figure) {
        return Handshakes.figure(engines, figure);
    }

    private static Response handshake(String query) {
        return given().queryParam("EIO", "4").queryParam("transport", "polling").get("/socket.io/?" + query);
    }

    @Test
    void aCheckThatAnswersLaterOnAnotherThreadAdmits() {
        handshake("ticket=ok-1").then().statusCode(200).body(startsWith("0{"));
        assertThat(calls).anyMatch(c -> c.startsWith("answered:ok-1 on ") && !c.contains("vert.x-eventloop"));
        assertThat(Tickets.calledOn).as("checks are called on the event loop").allMatch(t -> t.startsWith("vert.x-eventloop"));
        WebSocket ws = websocket("ticket=ok-2").join();
        ws.abort();
    }

    @Test
    void aRefusalIsTheSynchronousFiltersAnswer() {
        long refused = figure(EngineFigure.HANDSHAKES_FILTER_REFUSED);
        handshake("sync=no&ticket=ok-3").then().statusCode(403).contentType("application/json")
                .body("code", equalTo(4)).body("message", equalTo("Address not allowed"));
        handshake("ticket=bad-1").then().statusCode(403).contentType("application/json")
                .body("code", equalTo(4)).body("message", equalTo("Unknown ticket"));
        assertThat(figure(EngineFigure.HANDSHAKES_FILTER_REFUSED)).isEqualTo(refused + 2);
        assertThat(websocketStatus("ticket=bad-2")).isEqualTo(403);
        // a null decision refuses, as a synchronous filter's does
        handshake("ticket=null").then().statusCode(403).body("message", equalTo("Forbidden"));
    }

    @Test
    void theSynchronousFiltersComeFirstThenTheAsynchronousOnesInTurnAndTheFirstRefusalWins() {
        handshake("ticket=ok-order").then().statusCode(200);
        List<String> asked = calls.stream().filter(c -> c.contains(":ok-order")).toList();
        assertThat(asked).hasSize(5);
        assertThat(asked.get(0)).isEqualTo("sync:ok-order");
        // one after the other: the second asynchronous filter is asked once the first has answered
        assertThat(asked.get(1)).isIn("ticket:ok-order", "quota:ok-order");
        assertThat(asked.get(2)).startsWith("answered:ok-order");
        assertThat(asked.get(3)).isIn("ticket:ok-order", "quota:ok-order").isNotEqualTo(asked.get(1));
        assertThat(asked.get(4)).startsWith("answered:ok-order");

        // refused by the synchronous filter: no asynchronous one is asked
        handshake("sync=no&ticket=ok-skip").then().statusCode(403).body("message", equalTo("Address not allowed"));
        assertThat(calls).contains("sync:ok-skip").doesNotContain("ticket:ok-skip", "quota:ok-skip");

        // both asynchronous ones would refuse: the first asked answers, the other is not asked
        String message = handshake("ticket=bad-both&quota=no").then().statusCode(403).extract().path("message");
        List<String> both = calls.stream().filter(c -> c.startsWith("ticket:bad-both") || c.startsWith("quota:bad-both"))
                .toList();
        assertThat(both).hasSize(1);
        assertThat(message).isEqualTo(both.get(0).startsWith("ticket") ? "Unknown ticket" : "Over quota");
    }

    @Test
    void aCheckThatNeverAnswersIsRefusedAtTheTimeoutWith503() {
        long timedOut = figure(EngineFigure.HANDSHAKES_FILTER_TIMED_OUT);
        int cancelled = Tickets.cancelled.get();
        long start = System.nanoTime();
        Response response = handshake("ticket=never");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofSeconds(3));
        response.then().statusCode(503).contentType("application/json").header("Retry-After", "3")
                .body("code", equalTo(4)).body("message", equalTo("Handshake check timed out"));
        assertThat(Tickets.cancelled.get()).as("the check's Uni is cancelled").isEqualTo(cancelled + 1);
        assertThat(figure(EngineFigure.HANDSHAKES_FILTER_TIMED_OUT)).isEqualTo(timedOut + 1);
        assertThat(figure(EngineFigure.HANDSHAKES_WAITING)).isZero();
        assertThat(websocketStatus("ticket=never")).isEqualTo(503);
    }

    @Test
    void aCheckThatFailsRefusesWith403AndIsLogged() {
        long failed = figure(EngineFigure.HANDSHAKES_FILTER_FAILED);
        handshake("ticket=fail").then().statusCode(403).contentType("application/json")
                .body("code", equalTo(4)).body("message", equalTo("Forbidden"));
        assertThat(figure(EngineFigure.HANDSHAKES_FILTER_FAILED)).isEqualTo(failed + 1);
    }

    @Test
    void whileOneHandshakeWaitsForItsCheckTheEventLoopServesOthers() throws Exception {
        CompletableFuture<Response> waiting = CompletableFuture.supplyAsync(() -> handshake("ticket=held-1"));
        await().atMost(Duration.ofSeconds(10)).until(() -> Tickets.held.containsKey("held-1"));
        assertThat(figure(EngineFigure.HANDSHAKES_WAITING)).isEqualTo(1);
        // the application's only event loop: another client's handshake, namespace connection and event go on
        try (JavaClient other = JavaClient.connect(base.getPort(), "/?ticket=ok-other", Map.of())) {
            other.awaitConnected();
            assertThat(other.call("echo", "meanwhile")).containsExactly("meanwhile");
        }
        assertThat(waiting).isNotDone();
        Tickets.held.get("held-1").complete(HandshakeFilter.Decision.allow());
        waiting.get(10, TimeUnit.SECONDS).then().statusCode(200).body(startsWith("0{"));
        assertThat(figure(EngineFigure.HANDSHAKES_WAITING)).isZero();
    }

    private CompletableFuture<WebSocket> websocket(String query) {
        String uri = base.toString().replaceFirst("^http", "ws") + "?EIO=4&transport=websocket&" + query;
        return HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5))
                .buildAsync(URI.create(uri), new WebSocket.Listener() {
                });
    }

    /** The status a refused WebSocket handshake answers with. */
    private int websocketStatus(String query) {
        try {
            websocket(query).join().abort();
            throw new AssertionError("WebSocket accepted: " + query);
        } catch (CompletionException e) {
            assertThat(e.getCause()).isInstanceOf(WebSocketHandshakeException.class);
            return ((WebSocketHandshakeException) e.getCause()).getResponse().statusCode();
        }
    }
}
