package dev.qsio.test.config;

import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.qsio.test.Failures;
import io.quarkus.test.QuarkusUnitTest;

/**
 * A boolean spelled other than true or false fails startup and names its key: the framework alone would read "ture" as
 * false and start with upgrades off.
 */
class MisspelledBooleanTest {

    @RegisterExtension
    static final QuarkusUnitTest test = Failures.startupFailsOn("quarkus.socketio.allow-upgrades", "ture",
            "must be true or false");

    @Test
    void startupFails() {
        fail("startup should have failed");
    }
}
