package dev.qsio.test.config;

import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.qsio.test.Failures;
import io.quarkus.test.QuarkusUnitTest;

class ZeroSessionsPerIdentityTest {

    @RegisterExtension
    static final QuarkusUnitTest test = Failures.startupFailsOn("quarkus.socketio.limits.sessions-per-identity", "0", "must be at least 1");

    @Test
    void startupFails() {
        fail("startup should have failed");
    }
}
