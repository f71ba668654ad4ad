package dev.qsio.test.config;

import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.qsio.test.Failures;
import io.quarkus.test.QuarkusUnitTest;

class ShortIdentityLeaseTest {

    @RegisterExtension
    static final QuarkusUnitTest test = Failures.startupFailsOn("quarkus.socketio.limits.identity-lease", "1s", "must be at least 3 s");

    @Test
    void startupFails() {
        fail("startup should have failed");
    }
}
