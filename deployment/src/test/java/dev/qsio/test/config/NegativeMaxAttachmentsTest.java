package dev.qsio.test.config;

import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.qsio.test.Failures;
import io.quarkus.test.QuarkusUnitTest;

/** A negative {@code max-attachments} (not checked before) fails startup and names its key. */
class NegativeMaxAttachmentsTest {

    @RegisterExtension
    static final QuarkusUnitTest test = Failures.startupFailsOn("quarkus.socketio.max-attachments", "-1", "must be");

    @Test
    void startupFails() {
        fail("startup should have failed");
    }
}
