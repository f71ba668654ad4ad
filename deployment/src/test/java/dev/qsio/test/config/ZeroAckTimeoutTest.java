package dev.qsio.test.config;

import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.qsio.test.Failures;
import io.quarkus.test.QuarkusUnitTest;

/** An {@code ack-timeout} of 0 (a timer of 0 ms on every acknowledgement before) fails startup and names its key. */
class ZeroAckTimeoutTest {

    @RegisterExtension
    static final QuarkusUnitTest test = Failures.startupFailsOn("quarkus.socketio.ack-timeout", "0s", "at least 1 ms");

    @Test
    void startupFails() {
        fail("startup should have failed");
    }
}
