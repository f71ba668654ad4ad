package dev.qsio.test.config;

import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.qsio.test.Failures;
import io.quarkus.test.QuarkusUnitTest;

/** A {@code handshake-filter-timeout} of 0 (every asynchronous check refused at once) fails startup and names its key. */
class ZeroHandshakeFilterTimeoutTest {

    @RegisterExtension
    static final QuarkusUnitTest test = Failures.startupFailsOn("quarkus.socketio.handshake-filter-timeout", "0s",
            "at least 1 ms");

    @Test
    void startupFails() {
        fail("startup should have failed");
    }
}
