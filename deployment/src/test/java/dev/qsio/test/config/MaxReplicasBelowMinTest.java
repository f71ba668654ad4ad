package dev.qsio.test.config;

import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.qsio.test.Failures;
import io.quarkus.test.QuarkusUnitTest;

/**
 * A build-time setting is checked by the build: an autoscaler whose maximum is under its minimum fails the build with a
 * message naming the key, instead of a manifest Kubernetes refuses at deploy.
 */
class MaxReplicasBelowMinTest {

    @RegisterExtension
    static final QuarkusUnitTest test = Failures.startupFailsOn("quarkus.socketio.kubernetes.autoscaling.max-replicas",
            "0", "must be at least quarkus.socketio.kubernetes.autoscaling.min-replicas");

    @Test
    void buildFails() {
        fail("the build should have failed");
    }
}
