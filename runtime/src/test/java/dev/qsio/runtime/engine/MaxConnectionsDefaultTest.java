package dev.qsio.runtime.engine;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The sessions a process holds when {@code max-connections} is unset: one per 8 KB of its maximum heap, at least 1,024. */
class MaxConnectionsDefaultTest {

    @Test
    void onePerEightKilobytesOfTheHeap() {
        assertThat(EngineOptions.defaultMaxConnections(256L << 20)).isEqualTo(32_768);
        assertThat(EngineOptions.defaultMaxConnections(6L << 30)).isEqualTo(786_432);
    }

    @Test
    void atLeast1024AndAtMostAnInt() {
        assertThat(EngineOptions.defaultMaxConnections(1L << 20)).isEqualTo(1024);
        assertThat(EngineOptions.defaultMaxConnections(Long.MAX_VALUE)).isEqualTo(Integer.MAX_VALUE);
    }
}
