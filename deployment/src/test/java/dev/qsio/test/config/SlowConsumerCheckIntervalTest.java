package dev.qsio.test.config;

import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.qsio.test.Failures;
import io.quarkus.test.QuarkusUnitTest;

class SlowConsumerCheckIntervalTest {

    @RegisterExtension
    static final QuarkusUnitTest test = Failures.startupFailsOn("quarkus.socketio.slow-consumer.check-interval", "5ms", "must be at least 10 ms");

    @Test
    void startupFails() {
        fail("startup should have failed");
    }
}
