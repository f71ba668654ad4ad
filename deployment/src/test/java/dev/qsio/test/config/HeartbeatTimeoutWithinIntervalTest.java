package dev.qsio.test.config;

import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.qsio.test.Failures;
import io.quarkus.test.QuarkusUnitTest;

/**
 * A cluster heartbeat timeout no longer than its interval (each peer taken for dead between two heartbeats) fails the
 * startup of a single process too, before any worker would meet it.
 */
class HeartbeatTimeoutWithinIntervalTest {

    @RegisterExtension
    static final QuarkusUnitTest test = Failures.startupFailsOn("quarkus.socketio.cluster.heartbeat-timeout", "1s",
            "must be longer than quarkus.socketio.cluster.heartbeat-interval");

    @Test
    void startupFails() {
        fail("startup should have failed");
    }
}
