package dev.qsio.it.nodesuites;

import org.junit.jupiter.api.Test;

/**
 * {@code socket.io-cluster-engine/test/redis.ts}: three engines on Redis in Node, once with the {@code redis} package
 * and once with {@code ioredis}; the servers of a layout here ({@link ClusterCases}), over Redis between the hosts of
 * {@link ClusterCasesTwoHostsIT}. The two Node packages are the same Redis commands for this extension, which has one
 * Redis client: both cases of each pair run the same test.
 */
@NodeFile("socket.io-cluster-engine/test/redis.ts")
abstract class ClusterEngineRedisCases extends ClusterEngineCases {

    @Test
    @NodeCase("redis > redis package > should ping/pong")
    void redisPackageShouldPingPong() {
        pingPong(2);
    }

    @Test
    @NodeCase("redis > redis package > should send and receive binary")
    void redisPackageShouldSendAndReceiveBinary() {
        binary();
    }

    @Test
    @NodeCase("redis > ioredis package > should ping/pong")
    void ioredisPackageShouldPingPong() {
        pingPong(2);
    }

    @Test
    @NodeCase("redis > ioredis package > should send and receive binary")
    void ioredisPackageShouldSendAndReceiveBinary() {
        binary();
    }
}
