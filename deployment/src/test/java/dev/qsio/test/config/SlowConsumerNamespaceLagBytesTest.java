package dev.qsio.test.config;

import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.qsio.test.Failures;
import io.quarkus.test.QuarkusUnitTest;

class SlowConsumerNamespaceLagBytesTest {

    @RegisterExtension
    static final QuarkusUnitTest test = Failures.startupFailsOn("quarkus.socketio.slow-consumer.namespace.\"/prices\".lag-bytes", "-5", "must be a number of bytes, 0 or more");

    @Test
    void startupFails() {
        fail("startup should have failed");
    }
}
