package dev.qsio.runtime.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;

/**
 * What one server publishes on Redis reaches the subscribers in the order it was published, whichever threads
 * published it. The Redis client writes at once when called on its connection's event loop and queues a task there
 * when called from elsewhere: without an order of its own, a publication made on the loop overtook one made just
 * before on another thread. That is how a recovered socket relayed through another host received a live broadcast
 * before the broadcasts it had missed (seed 107 of the fault campaign). A real {@code redis-server} in between.
 */
class RedisChannelsOrderTest {

    private static final String CHANNEL = "order-test";

    private final Vertx vertx = Vertx.vertx();
    private RedisProcess redis;
    private StandaloneRedisChannels channels;
    /** The context the channels were made and connected on: their publishing connection's event loop. */
    private Context loop;
    private final List<String> received = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        redis = RedisProcess.start();
        // the channels are made and connected on a context of the test's: the publishing connection's event loop
        Context loop = vertx.getOrCreateContext();
        channels = RedisProcess.startedOn(loop, () -> new StandaloneRedisChannels(vertx,
                redis.config(RedisConfig.Mode.STANDALONE)), CHANNEL, (channel, payload) -> {
                    synchronized (received) {
                        received.add(payload.toString());
                    }
                });
        this.loop = loop;
    }

    @AfterEach
    void stop() throws Exception {
        if (channels != null) {
            channels.close();
        }
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        if (redis != null) {
            redis.close();
        }
    }

    /**
     * On the connection's event loop, a publication asked for from another thread, then one made on the loop: they
     * arrive in that order.
     */
    @Test
    void aPublicationOnTheConnectionsLoopDoesNotOvertakeOneAskedForBeforeFromAnotherThread() throws Exception {
        CompletableFuture<Void> done = new CompletableFuture<>();
        loop.runOnContext(v -> {
            try {
                Thread other = new Thread(() -> channels.publish(CHANNEL, Buffer.buffer("first")));
                other.start();
                other.join();
                channels.publish(CHANNEL, Buffer.buffer("second"));
                done.complete(null);
            } catch (InterruptedException e) {
                done.completeExceptionally(e);
            }
        });
        done.get(10, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(10)).until(() -> received().size() == 2);
        assertThat(received()).containsExactly("first", "second");
    }

    /**
     * Publishers on four threads and on the connection's loop take turns under one lock (as the sends of one session
     * do under its monitor): every number arrives, in the order of the lock.
     */
    @Test
    void publicationsMadeInTurnFromManyThreadsArriveInTurn() throws Exception {
        int perPublisher = 2_000;
        Object turn = new Object();
        int[] next = { 0 };
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            threads.add(new Thread(() -> {
                for (int i = 0; i < perPublisher; i++) {
                    synchronized (turn) {
                        channels.publish(CHANNEL, Buffer.buffer(Integer.toString(next[0]++)));
                    }
                }
            }));
        }
        CompletableFuture<Void> onLoop = new CompletableFuture<>();
        // the loop publishes in short bursts, letting what the others queued there run in between
        publishOnLoop(turn, next, perPublisher, onLoop);
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join();
        }
        onLoop.get(60, TimeUnit.SECONDS);
        assertArrivedInTurn(5 * perPublisher);
    }

    /**
     * Blocking code run from the connection's context (Vert.x gives a worker thread that context as its own while it
     * runs) and the loop itself take turns: every number arrives, in the order of the lock.
     */
    @Test
    void publicationsMadeInTurnOnTheLoopAndOnWorkerThreadsOfItsContextArriveInTurn() throws Exception {
        int perPublisher = 2_000;
        Object turn = new Object();
        int[] next = { 0 };
        List<CompletableFuture<Void>> blocking = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            CompletableFuture<Void> done = new CompletableFuture<>();
            blocking.add(done);
            loop.runOnContext(v -> vertx.executeBlocking(() -> {
                assertThat(Vertx.currentContext()).as("the worker thread's context").isSameAs(loop);
                for (int i = 0; i < perPublisher; i++) {
                    synchronized (turn) {
                        channels.publish(CHANNEL, Buffer.buffer(Integer.toString(next[0]++)));
                    }
                }
                return null;
            }, false).onComplete(ar -> {
                if (ar.succeeded()) {
                    done.complete(null);
                } else {
                    done.completeExceptionally(ar.cause());
                }
            }));
        }
        CompletableFuture<Void> onLoop = new CompletableFuture<>();
        publishOnLoop(turn, next, perPublisher, onLoop);
        onLoop.get(60, TimeUnit.SECONDS);
        for (CompletableFuture<Void> b : blocking) {
            b.get(60, TimeUnit.SECONDS);
        }
        assertArrivedInTurn(3 * perPublisher);
    }

    /** Every one of the numbers 0 to total - 1 arrived, in order. */
    private void assertArrivedInTurn(int total) {
        await().atMost(Duration.ofSeconds(30)).until(() -> received().size() == total);
        List<String> got = received();
        for (int i = 0; i < total; i++) {
            assertThat(got.get(i)).as("publication %d of %d", i, total).isEqualTo(Integer.toString(i));
        }
    }

    private void publishOnLoop(Object turn, int[] next, int left, CompletableFuture<Void> done) {
        loop.runOnContext(v -> {
            int burst = Math.min(50, left);
            for (int i = 0; i < burst; i++) {
                synchronized (turn) {
                    channels.publish(CHANNEL, Buffer.buffer(Integer.toString(next[0]++)));
                }
            }
            if (left - burst == 0) {
                done.complete(null);
            } else {
                publishOnLoop(turn, next, left - burst, done);
            }
        });
    }

    private List<String> received() {
        synchronized (received) {
            return new ArrayList<>(received);
        }
    }
}
