package dev.qsio.test.config;

import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.qsio.test.Failures;
import io.quarkus.test.QuarkusUnitTest;

/** An emitter reaches a fleet on its wire between hosts: {@code local} names none, and startup fails naming the key. */
class EmitterOnLocalBusTest {

    @RegisterExtension
    static final QuarkusUnitTest test = Failures.startupFailsOn("quarkus.socketio.emitter.bus", "local",
            "names no wire between hosts");

    @Test
    void startupFails() {
        fail("startup should have failed");
    }
}
