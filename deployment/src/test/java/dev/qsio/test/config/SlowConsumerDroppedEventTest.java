package dev.qsio.test.config;

import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.qsio.test.Failures;
import io.quarkus.test.QuarkusUnitTest;

class SlowConsumerDroppedEventTest {

    @RegisterExtension
    static final QuarkusUnitTest test = Failures.startupFailsOn("quarkus.socketio.slow-consumer.dropped-event", "disconnect", "must be an event name a client can listen to");

    @Test
    void startupFails() {
        fail("startup should have failed");
    }
}
