package dev.qsio.test.config;

import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.qsio.test.Failures;
import io.quarkus.test.QuarkusUnitTest;

/** A {@code warm-up.passes} of 0 fails startup and names its key ({@code warm-up.connections=0} turns it off). */
class WarmUpPassesZeroTest {

    @RegisterExtension
    static final QuarkusUnitTest test = Failures.startupFailsOn("quarkus.socketio.warm-up.passes", "0",
            "from 1 to 20, got 0");

    @Test
    void startupFails() {
        fail("startup should have failed");
    }
}
