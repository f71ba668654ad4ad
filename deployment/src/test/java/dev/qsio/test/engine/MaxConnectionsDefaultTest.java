package dev.qsio.test.engine;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.qsio.runtime.engine.EngineEndpoints;
import dev.qsio.runtime.engine.EngineOptions;
import io.quarkus.test.QuarkusUnitTest;

/** With {@code max-connections} unset, the process holds at most one session per 8 KB of its maximum heap. */
class MaxConnectionsDefaultTest {

    @RegisterExtension
    static final QuarkusUnitTest test = new QuarkusUnitTest();

    @Inject
    EngineEndpoints endpoints;

    @Test
    void theDefaultFollowsTheHeap() {
        assertThat(endpoints.options().maxConnections())
                .isEqualTo(EngineOptions.defaultMaxConnections(Runtime.getRuntime().maxMemory()))
                .isLessThan(Integer.MAX_VALUE);
    }
}
