package dev.qsio.test.config;

import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.qsio.test.Failures;
import io.quarkus.test.QuarkusUnitTest;

class NegativeSessionsPerAddressTest {

    @RegisterExtension
    static final QuarkusUnitTest test = Failures.startupFailsOn("quarkus.socketio.limits.sessions-per-address", "-5",
            "must be 0 (off) or more");

    @Test
    void startupFails() {
        fail("startup should have failed");
    }
}
