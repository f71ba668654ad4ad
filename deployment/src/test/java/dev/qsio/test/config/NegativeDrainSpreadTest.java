package dev.qsio.test.config;

import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.qsio.test.Failures;
import io.quarkus.test.QuarkusUnitTest;

/** A negative {@code drain-spread} fails startup and names its key. */
class NegativeDrainSpreadTest {

    @RegisterExtension
    static final QuarkusUnitTest test = Failures.startupFailsOn("quarkus.socketio.drain-spread", "-1s",
            "must not be a negative duration");

    @Test
    void startupFails() {
        fail("startup should have failed");
    }
}
