package dev.qsio.test.config;

import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.qsio.test.Failures;
import io.quarkus.test.QuarkusUnitTest;

/** A negative compression threshold fails startup naming its key. */
class NegativeCompressionThresholdTest {

    @RegisterExtension
    static final QuarkusUnitTest test = Failures.startupFailsOn("quarkus.socketio.per-message-deflate.threshold", "-1",
            "must be a number of bytes, 0 or more");

    @Test
    void startupFails() {
        fail("startup should have failed");
    }
}
