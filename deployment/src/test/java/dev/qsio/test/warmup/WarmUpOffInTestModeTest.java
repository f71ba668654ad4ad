package dev.qsio.test.warmup;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.qsio.SocketIo;
import dev.qsio.runtime.server.WarmUp;
import io.quarkus.test.QuarkusUnitTest;

/** Unset, the warm-up is off in test mode (as in dev mode): it runs by default in a packaged application only. */
class WarmUpOffInTestModeTest {

    @RegisterExtension
    static final QuarkusUnitTest test = new QuarkusUnitTest().withApplicationRoot(root -> root.addClasses(Main.class));

    @SocketIo
    public static class Main {
    }

    @Inject
    WarmUp warmUp;

    @Test
    void noWarmUpRan() {
        assertThat(warmUp.last()).isNull();
    }
}
