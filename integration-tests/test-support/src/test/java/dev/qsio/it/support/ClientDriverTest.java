package dev.qsio.it.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Node driver that cannot start (a package of the clients not installed, say) fails the test that waits for it at
 * once, saying so, instead of after the wait's whole timeout with nothing but "no matching client event".
 */
class ClientDriverTest {

    @AfterEach
    void forget() {
        System.clearProperty("qsio.clients.dir");
    }

    @Test
    void aDriverThatExitsBeforeItIsReadyFailsAtOnceWithItsExitCode(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("driver.mjs"), "console.error('no such package'); process.exit(3);\n");
        System.setProperty("qsio.clients.dir", dir.toString());
        long start = System.nanoTime();
        assertThatThrownBy(ClientDriver::start)
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("has exited with code 3");
        // the wait for "ready" is 20 s (ClientDriver.TIMEOUT): it ends as soon as the process has
        assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(10_000);
    }

    @Test
    void aDriverThatEndsAfterItsLastEventStillHasThatEventAwaited(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("driver.mjs"),
                "console.log(JSON.stringify({event: 'ready'})); console.log(JSON.stringify({event: 'last'}));\n");
        System.setProperty("qsio.clients.dir", dir.toString());
        try (ClientDriver driver = ClientDriver.start()) {
            driver.await(e -> "last".equals(e.path("event").asText()));
            assertThatThrownBy(() -> driver.await(e -> "more".equals(e.path("event").asText())))
                    .hasMessageContaining("has exited");
        }
    }
}
