package dev.qsio.test.config;

import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.qsio.test.Failures;
import io.quarkus.test.QuarkusUnitTest;

/** A {@code heap.min-free-percent} above the maximum (20 by default) fails startup and names its key. */
class HeapMinAboveMaxTest {

    @RegisterExtension
    static final QuarkusUnitTest test = Failures.startupFailsOn("quarkus.socketio.heap.min-free-percent", "40",
            "from 0 to 20");

    @Test
    void startupFails() {
        fail("startup should have failed");
    }
}
