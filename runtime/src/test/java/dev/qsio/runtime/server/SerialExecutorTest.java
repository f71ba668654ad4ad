package dev.qsio.runtime.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
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
