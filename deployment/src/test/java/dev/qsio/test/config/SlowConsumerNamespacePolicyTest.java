package dev.qsio.test.config;

import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.qsio.test.Failures;
import io.quarkus.test.QuarkusUnitTest;

class SlowConsumerNamespacePolicyTest {

    @RegisterExtension
    static final QuarkusUnitTest test = Failures.startupFailsOn("quarkus.socketio.slow-consumer.namespace.\"prices\".policy", "drop-oldest", "a namespace's name starts with '/'");

    @Test
    void startupFails() {
        fail("startup should have failed");
    }
}
