package dev.qsio.test.config;

import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.qsio.test.Failures;
import io.quarkus.test.QuarkusUnitTest;

/** A cooldown without {@code exceeded=disconnect} (it would never start) fails startup and names both keys. */
class InboundCooldownWithoutDisconnectTest {

    @RegisterExtension
    static final QuarkusUnitTest test = Failures.startupFailsOn("quarkus.socketio.inbound.cooldown", "5s",
            "needs quarkus.socketio.inbound.exceeded=disconnect");

    @Test
    void startupFails() {
        fail("startup should have failed");
    }
}
