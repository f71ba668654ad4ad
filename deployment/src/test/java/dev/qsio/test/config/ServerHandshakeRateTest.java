package dev.qsio.test.config;

import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.qsio.test.Failures;
import io.quarkus.test.QuarkusUnitTest;

class ServerHandshakeRateTest {

    @RegisterExtension
    static final QuarkusUnitTest test = Failures.startupFailsOn("quarkus.socketio.limits.handshakes-per-second", "-1", "must be a number of 0 (off) or more");

    @Test
    void startupFails() {
        fail("startup should have failed");
    }
}
