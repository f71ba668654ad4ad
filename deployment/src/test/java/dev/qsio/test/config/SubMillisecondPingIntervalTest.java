package dev.qsio.test.config;

import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.qsio.test.Failures;
import io.quarkus.test.QuarkusUnitTest;

/** A duration under a millisecond (a timer of 0 ms once counted in milliseconds, which passed the positive check before) fails startup and names its key. */
class SubMillisecondPingIntervalTest {

    @RegisterExtension
    static final QuarkusUnitTest test = Failures.startupFailsOn("quarkus.socketio.ping-interval", "PT0.0005S", "at least 1 ms");

    @Test
    void startupFails() {
        fail("startup should have failed");
    }
}
