package dev.qsio.it.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import jakarta.inject.Inject;

import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;

import dev.qsio.it.support.ClientDriver;
import dev.qsio.it.support.RawHttp;
import dev.qsio.runtime.server.ServerFigure;
import dev.qsio.runtime.server.ServerStats;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * 1,000 official Node clients (default options) are each asked a question as they connect, by a handler that waits
 * for the answer on a worker thread for up to 60 s, and each leaves on receiving it without answering: every wait ends
 * within seconds with {@code SocketDisconnectedException}, no handler is left waiting, no acknowledgement is left
 * awaited, and the JVM has no more threads than before. (Without the fix, each wait blocked its worker thread until
 * the timeout, and the worker pool was soon all blocked.)
 */
@QuarkusTest
@TestProfile(LeavingWhileAskedTest.IdleWorkersGoSoon.class)
class LeavingWhileAskedTest {

    static final int CLIENTS = 1_000;
    static final int DRIVERS = 2;
    static final int WAVE = 100;
    static final Pattern PENDING_NONE = Pattern.compile("socketio_acks_pending\\{[^}]*\\} 0\\.0");

    /**
     * Idle worker threads end after a second (30 s by default), so that their number comes back to rest soon; and the
     * heartbeat is Node's default, not the application's 2 s, which a hundred clients connecting at once on two busy
     * cores may miss (they reconnect, and are asked again).
     */
    public static class IdleWorkersGoSoon implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.thread-pool.keep-alive-time", "1s", "quarkus.socketio.ping-interval", "25s",
                    "quarkus.socketio.ping-timeout", "20s");
        }
    }

    @TestHTTPResource("/asked")
    URL asked;

    @TestHTTPResource(value = "/", management = true)
    URL management;

    @Inject
    AskedOnConnect handler;

    @Inject
    ServerStats stats;

    @Test
    void everyWaitEndsAtOnceWhenItsClientLeavesAndNothingIsLeftBehind() {
        List<ClientDriver> drivers = new ArrayList<>();
        try {
            for (int i = 0; i < DRIVERS; i++) {
                drivers.add(ClientDriver.start());
            }
            // the event loops, the worker pool and the clients' code warmed up, and the pool back to rest
            askAndLeave(drivers, "warm", WAVE);
            Map<String, Long> before = threadsAtRest();
            handler.clear();

            long start = System.nanoTime();
            askAndLeave(drivers, "c", CLIENTS);
            long tookMs = (System.nanoTime() - start) / 1_000_000;

            Collection<AskedOnConnect.Outcome> outcomes = handler.outcomes().values();
            // one wait per client; a client whose connection was lost before it was asked is asked again
            assertThat(outcomes).as(summary()).hasSizeGreaterThanOrEqualTo(CLIENTS);
            assertThat(outcomes).as(summary())
                    .allMatch(o -> "SocketDisconnectedException".equals(o.failure()) && o.reason() != null);
            long longest = outcomes.stream().mapToLong(AskedOnConnect.Outcome::waitedMs).max().orElseThrow();
            assertThat(longest).as("the longest wait, of 60 s allowed (the %d clients took %d ms): %s", CLIENTS, tookMs,
                    summary()).isLessThan(10_000);
            assertThat(handler.waiting()).isZero();
            assertThat(stats.snapshot().get(ServerFigure.ACKS_PENDING)).isZero();

            int total = before.values().stream().mapToInt(Long::intValue).sum();
            try {
                await().atMost(Duration.ofSeconds(30)).pollInSameThread().until(() -> liveThreads() <= total);
            } catch (ConditionTimeoutException e) {
                throw new AssertionError("live threads by name before: " + before + ", now: " + threadsByName(), e);
            }
            // read once the threads are counted: the HTTP client starts threads of its own
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(RawHttp.get(management + "metrics")
                    .body().lines().filter(l -> l.contains("socketio_acks_pending")).toList())
                    .anyMatch(l -> PENDING_NONE.matcher(l).matches()));
        } finally {
            drivers.forEach(ClientDriver::close);
        }
    }

    /**
     * Connects {@code count} clients with the official client's default options, spread over the drivers, each
     * disconnecting on receiving the question without answering; a wave of clients at a time, so that two shared cores
     * keep the clients' heartbeats, and each wave until every client of it left and no handler waits.
     */
    void askAndLeave(List<ClientDriver> drivers, String prefix, int count) {
        for (int from = 0; from < count; from += WAVE) {
            List<String> wave = new ArrayList<>();
            for (int i = from; i < Math.min(count, from + WAVE); i++) {
                String id = prefix + i;
                drivers.get(i % drivers.size()).connect(id, asked.toString(), Map.of(),
                        Map.of("question", List.of("$disconnect")));
                wave.add(id);
            }
            try {
                await().atMost(Duration.ofSeconds(60)).until(() -> left(drivers, wave) == wave.size()
                        && handler.waiting() == 0);
            } catch (ConditionTimeoutException e) {
                throw new AssertionError(left(drivers, wave) + " of " + wave.size() + " clients of " + wave.get(0)
                        + ".. left after being asked, " + handler.waiting() + " handlers wait; " + summary(), e);
            }
        }
    }

    /** How many of these clients left after they were asked. */
    static long left(List<ClientDriver> drivers, List<String> ids) {
        Set<String> wanted = Set.copyOf(ids);
        return drivers.stream().mapToLong(d -> d.events(e -> "disconnect".equals(e.path("event").asText())
                && "io client disconnect".equals(e.path("reason").asText()) && wanted.contains(e.path("id").asText()))
                .size()).sum();
    }

    /** How the waits ended, and how long they took. */
    String summary() {
        return "waits by outcome: " + handler.outcomes().values().stream().collect(Collectors.groupingBy(
                o -> o.failure() + " (" + o.reason() + ")", TreeMap::new,
                Collectors.summarizingLong(AskedOnConnect.Outcome::waitedMs)));
    }

    /** The JVM's live threads, by name without numbers, once the worker pool has let its idle threads go. */
    static Map<String, Long> threadsAtRest() {
        await().atMost(Duration.ofSeconds(30)).pollInSameThread().until(() -> threadsByName()
                .getOrDefault("executor-thread-", 0L) <= 1);
        return threadsByName();
    }

    static Map<String, Long> threadsByName() {
        return Thread.getAllStackTraces().keySet().stream().collect(Collectors.groupingBy(
                t -> t.getName().replaceAll("\\d+", ""), TreeMap::new, Collectors.counting()));
    }

    static int liveThreads() {
        return Thread.getAllStackTraces().size();
    }
}
