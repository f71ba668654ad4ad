package dev.qsio.test.config;

import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.qsio.test.Failures;
import io.quarkus.test.QuarkusUnitTest;

/**
 * The Redis emitter writes the format of Node's redis emitter, which has none for a Redis Cluster: startup fails naming
 * both keys, before anything connects.
 */
class EmitterOnRedisClusterTest {

    @RegisterExtension
    static final QuarkusUnitTest test = Failures.startupFailsOn("quarkus.socketio.emitter.bus", "redis",
            "quarkus.socketio.redis.mode=cluster")
            .overrideConfigKey("quarkus.socketio.redis.mode", "cluster");

    @Test
    void startupFails() {
        fail("startup should have failed");
    }
}
