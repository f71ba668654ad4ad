package dev.qsio.test.config;

import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.qsio.test.Failures;
import io.quarkus.test.QuarkusUnitTest;

/** A recovery log of no bytes (it would keep nothing) fails startup and names its key. */
class ZeroRecoveryLogBytesTest {

    @RegisterExtension
    static final QuarkusUnitTest test = Failures.startupFailsOn("quarkus.socketio.connection-state-recovery.max-log-bytes",
            "0", "must be a positive size").overrideConfigKey("quarkus.socketio.connection-state-recovery.enabled", "true");

    @Test
    void startupFails() {
        fail("startup should have failed");
    }
}
