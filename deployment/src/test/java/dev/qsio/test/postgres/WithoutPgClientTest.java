package dev.qsio.test.postgres;

import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.qsio.test.Failures;
import io.quarkus.test.QuarkusUnitTest;

/** {@code quarkus.socketio.bus=postgres} in an application without {@code quarkus-reactive-pg-client}. */
class WithoutPgClientTest {

    @RegisterExtension
    static final QuarkusUnitTest test = Failures.startupFailsOn("quarkus.socketio.bus", "postgres",
            "add the io.quarkus:quarkus-reactive-pg-client extension");

    @Test
    void startupFails() {
        fail("startup should have failed");
    }
}
