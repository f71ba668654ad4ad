package dev.qsio.runtime.requests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.vertx.core.Vertx;

/** The one mechanism for requests that wait for other servers' answers or a timeout. */
class RequestTrackerTest {

    static Vertx vertx;

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stop() {
        vertx.close();
    }

    /** Collects answers; records how it ended. */
    static final class Collect extends RequestTracker.Request {
        final List<Object> answers = new ArrayList<>();
        final AtomicInteger completed = new AtomicInteger();
        final AtomicInteger timedOut = new AtomicInteger();
        final List<String> left = new ArrayList<>();
        volatile Set<String> missingAtTimeout;

        Collect(Set<String> servers) {
            super(servers);
        }

        Collect(int servers) {
            super(null, servers);
        }

        @Override
        protected boolean answered(String from, Object answer) {
            answers.add(answer);
            // "more" means this server will answer again
            return !"more".equals(answer);
        }

        @Override
        protected void left(String member) {
            left.add(member);
        }

        @Override
        protected void completed() {
            completed.incrementAndGet();
        }

        @Override
        protected void timedOut() {
            missingAtTimeout = missing();
            timedOut.incrementAndGet();
        }
    }

    @Test
    void completesOnceEveryNamedServerAnswered() {
        RequestTracker tracker = new RequestTracker(vertx);
        Collect r = tracker.open(new Collect(Set.of("a", "b")), 10_000);
        tracker.answer(r.id(), "a", 1);
        assertThat(r.completed).hasValue(0);
        tracker.answer(r.id(), "a", 1);
        assertThat(r.completed).as("a second answer from the same server counts once").hasValue(0);
        tracker.answer(r.id(), "c", 3);
        assertThat(r.completed).as("a server not waited for does not count").hasValue(0);
        tracker.answer(r.id(), "b", 2);
        assertThat(r.completed).hasValue(1);
        assertThat(tracker.isOpen(r.id())).isFalse();
        tracker.answer(r.id(), "b", 2);
        assertThat(r.answers).containsExactly(1, 1, 3, 2);
        assertThat(r.completed).hasValue(1);
        assertThat(r.timedOut).hasValue(0);
    }

    @Test
    void aServerMayAnswerSeveralTimesBeforeItIsDone() {
        RequestTracker tracker = new RequestTracker(vertx);
        Collect r = tracker.open(new Collect(Set.of("a")), 10_000);
        tracker.answer(r.id(), "a", "more");
        tracker.answer(r.id(), "a", "more");
        assertThat(r.completed).hasValue(0);
        tracker.answer(r.id(), "a", "last");
        assertThat(r.completed).hasValue(1);
    }

    @Test
    void aServerThatLeavesIsNoLongerWaitedFor() {
        RequestTracker tracker = new RequestTracker(vertx);
        Collect r = tracker.open(new Collect(Set.of("a", "b")), 10_000);
        tracker.answer(r.id(), "a", 1);
        tracker.memberLeft("a");
        assertThat(r.left).as("a had already answered").isEmpty();
        tracker.memberLeft("b");
        assertThat(r.left).containsExactly("b");
        assertThat(r.completed).hasValue(1);
    }

    @Test
    void countedServersNeedNoNames() {
        RequestTracker tracker = new RequestTracker(vertx);
        Collect r = tracker.open(new Collect(3), 10_000);
        tracker.answer(r.id(), null, 1);
        tracker.answer(r.id(), null, 2);
        tracker.memberLeft("x");
        assertThat(r.completed).as("leaving members are not counted ones").hasValue(0);
        tracker.answer(r.id(), null, 3);
        assertThat(r.completed).hasValue(1);
    }

    @Test
    void nothingToWaitForCompletesAtOnce() {
        RequestTracker tracker = new RequestTracker(vertx);
        Collect named = tracker.open(new Collect(Set.of()), 10_000);
        Collect counted = tracker.open(new Collect(0), 10_000);
        assertThat(named.completed).hasValue(1);
        assertThat(counted.completed).hasValue(1);
        assertThat(tracker.size()).isZero();
    }

    @Test
    void theTimeoutEndsItOnceAndLateAnswersAreIgnored() {
        RequestTracker tracker = new RequestTracker(vertx);
        Collect r = tracker.open(new Collect(Set.of("a", "b")), 50);
        tracker.answer(r.id(), "a", 1);
        await().atMost(Duration.ofSeconds(5)).until(() -> r.timedOut.get() == 1);
        assertThat(r.missingAtTimeout).containsExactly("b");
        tracker.answer(r.id(), "b", 2);
        assertThat(r.completed).hasValue(0);
        assertThat(r.answers).containsExactly(1);
        assertThat(tracker.isOpen(r.id())).isFalse();
    }

    @Test
    void aCancelledRequestIsNotCalledBack() {
        RequestTracker tracker = new RequestTracker(vertx);
        Collect r = tracker.open(new Collect(Set.of("a")), 50);
        tracker.cancel(r);
        tracker.answer(r.id(), "a", 1);
        // a request opened after it with the same timeout times out after it would have: once that one has, the
        // cancelled one's timer is past too (a quiet wait of 200 ms proved nothing on a loaded machine)
        Collect later = tracker.open(new Collect(Set.of("a")), 50);
        await().atMost(Duration.ofSeconds(5)).until(() -> later.timedOut.get() == 1);
        assertThat(r.completed).hasValue(0);
        assertThat(r.timedOut).hasValue(0);
    }

    @Test
    void answersRacingFromManyThreadsCompleteItExactlyOnce() throws Exception {
        RequestTracker tracker = new RequestTracker(vertx);
        int servers = 64;
        Set<String> names = new HashSet<>();
        for (int i = 0; i < servers; i++) {
            names.add("s" + i);
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            for (int round = 0; round < 50; round++) {
                Collect r = tracker.open(new Collect(names), 10_000);
                CountDownLatch go = new CountDownLatch(1);
                for (String name : names) {
                    pool.execute(() -> {
                        try {
                            go.await();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        tracker.answer(r.id(), name, name);
                        tracker.answer(r.id(), name, name);
                    });
                }
                go.countDown();
                await().atMost(Duration.ofSeconds(10)).until(() -> r.completed.get() == 1);
                assertThat(r.completed).hasValue(1);
            }
        } finally {
            pool.shutdown();
            assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(tracker.size()).isZero();
    }
}
