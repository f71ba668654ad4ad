package dev.qsio.test.config;

import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.qsio.test.Failures;
import io.quarkus.test.QuarkusUnitTest;

/** A {@code connect-timeout} of 0 (a timer of 0 ms on every connection before) fails startup and names its key. */
class ZeroConnectTimeoutTest {

    @RegisterExtension
    static final QuarkusUnitTest test = Failures.startupFailsOn("quarkus.socketio.connect-timeout", "0s", "at least 1 ms");

    @Test
    void startupFails() {
        fail("startup should have failed");
    }
}
