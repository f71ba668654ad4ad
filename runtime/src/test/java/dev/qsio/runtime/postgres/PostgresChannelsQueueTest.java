package dev.qsio.runtime.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.lang.reflect.Proxy;
import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;

/**
 * What waits to be published is bounded: a PostgreSQL that stalls (here a pool whose work never ends) holds
 * {@link PostgresPublisher#MAX_QUEUED} notifications or {@link PostgresPublisher#MAX_QUEUED_BYTES} at most, and what
 * comes meanwhile is dropped and counted, as the Redis wire does beyond what its publishing connection holds.
 */
class PostgresChannelsQueueTest {

    private final Vertx vertx = Vertx.vertx();
    private PostgresChannels channels;

    @AfterEach
    void close() {
        if (channels != null) {
            channels.close();
        }
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    /** A pool whose every query and connection stays pending: PostgreSQL accepted the work and does nothing. */
    private static Pool stalledPool() {
        return (Pool) Proxy.newProxyInstance(Pool.class.getClassLoader(), new Class<?>[] { Pool.class },
                (proxy, method, args) -> switch (method.getName()) {
                    case "withConnection" -> Promise.promise().future();
                    case "query", "preparedQuery" -> pending(method.getReturnType());
                    case "toString" -> "a stalled pool";
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    /** A query whose execution never completes. */
    private static Object pending(Class<?> type) {
        return Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] { type }, (proxy, method, args) -> {
            if (method.getName().equals("execute") && method.getReturnType() == Future.class) {
                return Promise.promise().future();
            }
            throw new UnsupportedOperationException(method.getName());
        });
    }

    /** An emitter's channels (they publish without listening) on the stalled pool, up. */
    private PostgresChannels publishingOnStalledPool() {
        channels = new PostgresChannels(vertx, new PostgresChannels.Setup(stalledPool(), null, "stalled:5432/fleet",
                new PostgresMisconfiguration.Keys("url", "username", "password", "table"), "socket_io_attachments",
                null, 8000, Duration.ofSeconds(30), Duration.ofSeconds(5)));
        channels.start();
        await().atMost(Duration.ofSeconds(10)).until(channels::isUp);
        return channels;
    }

    @Test
    void notificationsBeyondTheBoundAreDroppedAndCounted() {
        PostgresChannels c = publishingOnStalledPool();
        int beyond = 1_000;
        // the first goes out alone (nothing else was queued) and never completes; the queue then fills up
        int sent = 1 + PostgresPublisher.MAX_QUEUED + beyond;
        for (int i = 0; i < sent; i++) {
            c.notify("socket.io#/", "m" + i);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> c.dropped() >= beyond);
        assertThat(c.dropped()).as("dropped of %d sent", sent).isEqualTo(beyond);
        assertThat(c.published()).isZero();
    }

    @Test
    void bytesBeyondTheBoundAreDroppedAndCounted() {
        PostgresChannels c = publishingOnStalledPool();
        byte[] mebibyte = new byte[1 << 20];
        int fit = (int) (PostgresPublisher.MAX_QUEUED_BYTES / mebibyte.length);
        int beyond = 5;
        int sent = 1 + fit + beyond;
        for (int i = 0; i < sent; i++) {
            c.notifyAttached("socket.io#/", mebibyte, id -> "{}", null);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> c.dropped() >= beyond);
        assertThat(c.dropped()).as("dropped of %d attachments of 1 MiB", sent).isEqualTo(beyond);
    }
}
