package dev.qsio.runtime.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.qsio.runtime.server.HandlerDefinition.ExecutionModel;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/** One socket's handlers run one after the other, in order, each where its execution model says. */
class SerialExecutorTest {

    static Vertx vertx;

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stop() {
        vertx.close();
    }

    @Test
    void tasksRunInSubmissionOrderWhateverTheirModel() throws Exception {
        Context context = vertx.getOrCreateContext();
        SerialExecutor executor = new SerialExecutor(context);
        List<String> ran = new CopyOnWriteArrayList<>();
        CountDownLatch release = new CountDownLatch(1);
        // the first task blocks a worker thread: the others wait for it, even those for the event loop
        executor.submit(ExecutionModel.WORKER, () -> {
            try {
                release.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ran.add("worker-1:" + (Context.isOnEventLoopThread() ? "loop" : "worker"));
        });
        for (int i = 2; i <= 40; i++) {
            int n = i;
            ExecutionModel model = i % 3 == 0 ? ExecutionModel.WORKER : ExecutionModel.EVENT_LOOP;
            executor.submit(model, () -> ran.add((model == ExecutionModel.WORKER ? "worker-" : "loop-") + n + ":"
                    + (Context.isOnEventLoopThread() ? "loop" : "worker")));
        }
        assertThat(ran).isEmpty();
        release.countDown();
        await().atMost(Duration.ofSeconds(10)).until(() -> ran.size() == 40);
        for (int i = 0; i < 40; i++) {
            String entry = ran.get(i);
            assertThat(entry).startsWith((i + 1 == 1 || (i + 1) % 3 == 0 ? "worker-" : "loop-") + (i + 1) + ":");
            assertThat(entry).endsWith(entry.startsWith("worker") ? ":worker" : ":loop");
        }
    }

    @Test
    void aFailingTaskDoesNotStopTheNextOnes() {
        SerialExecutor executor = new SerialExecutor(vertx.getOrCreateContext());
        List<Integer> ran = new CopyOnWriteArrayList<>();
        executor.submit(ExecutionModel.EVENT_LOOP, () -> {
            throw new IllegalStateException("handler bug (expected by the test)");
        });
        executor.submit(ExecutionModel.EVENT_LOOP, () -> ran.add(2));
        executor.submit(ExecutionModel.WORKER, () -> ran.add(3));
        await().atMost(Duration.ofSeconds(5)).until(() -> ran.size() == 2);
        assertThat(ran).containsExactly(2, 3);
    }

    @Test
    void aTaskSubmittedByAnEventLoopTaskRunsInTheSameTurn() throws Exception {
        // an event's dispatch submits its handler: the handler must run before the read that brought the event ends,
        // so that the broadcasts of all the events of one read are flushed together (a turn per event made each
        // broadcast a flush, and a system call, per recipient: two thirds of the broadcast path's speed)
        Context context = vertx.getOrCreateContext();
        SerialExecutor executor = new SerialExecutor(context);
        List<String> ran = new CopyOnWriteArrayList<>();
        CompletableFuture<List<String>> afterSubmits = new CompletableFuture<>();
        context.runOnContext(v -> {
            for (int event = 1; event <= 3; event++) {
                int n = event;
                executor.submit(ExecutionModel.EVENT_LOOP, () -> {
                    ran.add("dispatch-" + n);
                    executor.submit(ExecutionModel.EVENT_LOOP, () -> ran.add("handler-" + n));
                });
            }
            afterSubmits.complete(List.copyOf(ran));
        });
        assertThat(afterSubmits.get(5, TimeUnit.SECONDS)).as("what ran within the turn of the submissions")
                .containsExactly("dispatch-1", "handler-1", "dispatch-2", "handler-2", "dispatch-3", "handler-3");
    }

    @Test
    void tasksThatKeepSubmittingTasksMoveToALaterTurnPastTheInlineDepth() throws Exception {
        Context context = vertx.getOrCreateContext();
        SerialExecutor executor = new SerialExecutor(context);
        List<Integer> ran = new CopyOnWriteArrayList<>();
        CompletableFuture<Integer> inTheFirstTurn = new CompletableFuture<>();
        int chain = 1000;
        context.runOnContext(v -> {
            submitChain(executor, ran, 0, chain);
            inTheFirstTurn.complete(ran.size());
        });
        assertThat(inTheFirstTurn.get(5, TimeUnit.SECONDS)).isEqualTo(SerialExecutor.MAX_INLINE_DEPTH + 1);
        await().atMost(Duration.ofSeconds(10)).until(() -> ran.size() == chain);
        for (int i = 0; i < chain; i++) {
            assertThat(ran.get(i)).isEqualTo(i);
        }
    }

    private static void submitChain(SerialExecutor executor, List<Integer> ran, int i, int n) {
        executor.submit(ExecutionModel.EVENT_LOOP, () -> {
            ran.add(i);
            if (i + 1 < n) {
                submitChain(executor, ran, i + 1, n);
            }
        });
    }

    @Test
    void aLongRunOnTheEventLoopDoesNotGrowTheStack() {
        Context context = vertx.getOrCreateContext();
        SerialExecutor executor = new SerialExecutor(context);
        int n = 100_000;
        int[] count = new int[1];
        context.runOnContext(v -> {
            for (int i = 0; i < n; i++) {
                executor.submit(ExecutionModel.EVENT_LOOP, () -> count[0]++);
            }
        });
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            int[] seen = new int[1];
            CountDownLatch read = new CountDownLatch(1);
            context.runOnContext(v -> {
                seen[0] = count[0];
                read.countDown();
            });
            read.await(5, TimeUnit.SECONDS);
            return seen[0] == n;
        });
    }
}
