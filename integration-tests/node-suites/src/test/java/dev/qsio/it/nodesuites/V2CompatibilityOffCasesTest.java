package dev.qsio.it.nodesuites;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

/**
 * {@code socket.io/test/v2-compatibility.ts} with the default {@code allowEIO3: false}: the module's application, where
 * {@code quarkus.socketio.allow-eio3} is off. The cases with it on are {@link V2CompatibilityCasesTest}.
 */
@QuarkusTest
@NodeFile("socket.io/test/v2-compatibility.ts")
class V2CompatibilityOffCasesTest extends NodeCases {

    @Test
    @NodeCase("v2 compatibility > should not connect if `allowEIO3` is false (default)")
    void aV2ClientIsRefused() {
        String id = connect("/", Map.of("generation", 2, "multiplex", false, "reconnection", false), Map.of());
        await().atMost(Duration.ofSeconds(10)).until(() -> !driver.events(id, "connect_error").isEmpty());
        assertThat(driver.events(id, "connect")).isEmpty();
    }
}
