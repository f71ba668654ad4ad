package dev.qsio.test.config;

import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.qsio.test.Failures;
import io.quarkus.test.QuarkusUnitTest;

/** A {@code heap.max-free-percent} above 100 fails startup and names its key. */
class HeapFreePercentTest {

    @RegisterExtension
    static final QuarkusUnitTest test = Failures.startupFailsOn("quarkus.socketio.heap.max-free-percent", "101",
            "from 0 to 100");

    @Test
    void startupFails() {
        fail("startup should have failed");
    }
}
