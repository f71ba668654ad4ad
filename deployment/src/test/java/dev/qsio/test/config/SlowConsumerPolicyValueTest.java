package dev.qsio.test.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.qsio.test.Failures;
import io.quarkus.test.QuarkusUnitTest;

/** A policy that does not exist fails startup with the configuration's own message: the key and the values allowed. */
class SlowConsumerPolicyValueTest {

    @RegisterExtension
    static final QuarkusUnitTest test = new QuarkusUnitTest()
            .withApplicationRoot(root -> root.addClasses(Failures.AnyNamespace.class, Failures.class))
            .overrideConfigKey("quarkus.socketio.slow-consumer.policy", "drop-newest")
            .assertException(t -> assertThat(t).hasStackTraceContaining("quarkus.socketio.slow-consumer.policy")
                    .hasStackTraceContaining("drop-newest")
                    .hasStackTraceContaining("allowed values: drop-oldest,disconnect"));

    @Test
    void startupFails() {
        fail("startup should have failed");
    }
}
