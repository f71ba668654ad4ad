package dev.qsio.test.config;

import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.qsio.test.Failures;
import io.quarkus.test.QuarkusUnitTest;

/** A {@code max-namespaces-per-connection} of 0 (not checked before: no connection could join a namespace) fails startup and names its key. */
class ZeroNamespacesPerConnectionTest {

    @RegisterExtension
    static final QuarkusUnitTest test = Failures.startupFailsOn("quarkus.socketio.max-namespaces-per-connection", "0", "must be");

    @Test
    void startupFails() {
        fail("startup should have failed");
    }
}
