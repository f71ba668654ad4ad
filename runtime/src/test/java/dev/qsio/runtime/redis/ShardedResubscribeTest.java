package dev.qsio.runtime.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;

/**
 * A room's channel left and joined again within a round trip to Redis (its last socket leaves, another joins) keeps the
 * server on the bus. Redis confirms an unsubscription with the same {@code sunsubscribe} push it sends when a channel's
 * slot moves away; read as a move, it made the server drop its connections and reconnect, and what was published
 * meanwhile was lost to it (seed 101 of the fault campaign, before any fault). A real Redis Cluster of one node.
 */
class ShardedResubscribeTest {

    private static final String ROOM = "socket.io#/#r0#";

    private final Vertx vertx = Vertx.vertx();
    private RedisProcess redis;
    private ShardedRedisChannels channels;

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

    @Test
    void aChannelLeftAndJoinedAgainWithinARoundTripIsNotAMove() throws Exception {
        redis = RedisProcess.startCluster();
        Context loop = vertx.getOrCreateContext();
        List<String> received = new CopyOnWriteArrayList<>();
        channels = RedisProcess.startedOn(loop, () -> new ShardedRedisChannels(vertx,
                redis.config(RedisConfig.Mode.CLUSTER)), ROOM, (channel, payload) -> received.add(payload.toString()));
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            channels.publish(ROOM, Buffer.buffer("before"));
            return received.contains("before");
        });

        for (int round = 0; round < 20; round++) {
            String mark = "after " + round;
            // on the channels' context, the unsubscription goes out in the task after this one, and the subscription
            // is made in the task after that: both before Redis can answer the first
            loop.runOnContext(v -> {
                channels.unsubscribe(ROOM);
                loop.runOnContext(w -> channels.subscribe(ROOM, (channel, payload) -> received.add(payload.toString())));
            });
            // the subscription's messages come after the confirmation of the unsubscription, on the same connection
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                channels.publish(ROOM, Buffer.buffer(mark));
                return received.contains(mark);
            });
            assertThat(channels.outages()).as("times the server lost the cluster, after round %d", round).isZero();
        }
        assertThat(channels.isUp()).isTrue();
    }
}
