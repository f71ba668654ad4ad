package dev.qsio.runtime.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;

/** When a crashed worker is restarted and when it is given up on. */
class RestartPolicyTest {

    static final long SECOND = 1_000_000_000L;

    static RestartPolicy policy(boolean enabled, int maxRestarts, int threshold, double random) {
        return new RestartPolicy(enabled, maxRestarts, Duration.ofMillis(100), Duration.ofMillis(1000), threshold,
                Duration.ofSeconds(60), () -> random);
    }

    @Test
    void disabledRestartsGiveUpAtOnce() {
        RestartPolicy.Decision d = policy(false, 10, 5, 0.5).onCrash(0);
        assertThat(d.restart()).isFalse();
        assertThat(d.reason()).contains("restart-workers=false");
    }

    @Test
    void theDelayDoublesWithinTheWindowAndIsCapped() {
        // random 0.5 means no jitter
        RestartPolicy p = policy(true, 100, 10, 0.5);
        long[] delays = new long[6];
        for (int i = 0; i < delays.length; i++) {
            RestartPolicy.Decision d = p.onCrash(i * SECOND);
            assertThat(d.restart()).isTrue();
            delays[i] = d.delay().toMillis();
        }
        assertThat(delays).containsExactly(100, 200, 400, 800, 1000, 1000);
        assertThat(p.restarts()).isEqualTo(6);
    }

    @Test
    void jitterStaysWithinTenPercent() {
        assertThat(policy(true, 10, 10, 0.0).onCrash(0).delay().toMillis()).isEqualTo(90);
        assertThat(policy(true, 10, 10, 1.0).onCrash(0).delay().toMillis()).isEqualTo(110);
    }

    @Test
    void tooManyCrashesWithinTheWindowMarkTheWorkerFailed() {
        RestartPolicy p = policy(true, 100, 3, 0.5);
        assertThat(p.onCrash(0).restart()).isTrue();
        assertThat(p.onCrash(1 * SECOND).restart()).isTrue();
        assertThat(p.onCrash(2 * SECOND).restart()).isTrue();
        RestartPolicy.Decision fourth = p.onCrash(3 * SECOND);
        assertThat(fourth.restart()).isFalse();
        assertThat(fourth.reason()).contains("crashed 4 times within 60 s", "respawn-threshold=3");
    }

    @Test
    void aWorkerThatRunsOutOfMemoryWhileServingIsAlwaysRestartedWithBackoff() {
        // limits that a plain crash reaches at once: 2 restarts in a life, 2 in the window
        RestartPolicy p = policy(true, 2, 2, 0.5);
        long previous = 0;
        for (int i = 0; i < 20; i++) {
            RestartPolicy.Decision d = p.onCrash(i * SECOND, true);
            assertThat(d.restart()).as("out-of-memory exit %d", i).isTrue();
            assertThat(d.delay().toMillis()).as("the backoff grows to its cap").isGreaterThanOrEqualTo(previous)
                    .isLessThanOrEqualTo(1000);
            previous = d.delay().toMillis();
        }
        assertThat(previous).as("repeated within the window: the longest delay").isEqualTo(1000);
        assertThat(p.restarts()).isEqualTo(20);
        // they did not use up the limits a plain crash is held to
        assertThat(p.onCrash(200 * SECOND).restart()).isTrue();
        assertThat(p.onCrash(201 * SECOND).restart()).isTrue();
        RestartPolicy.Decision third = p.onCrash(202 * SECOND);
        assertThat(third.restart()).isFalse();
        assertThat(third.reason()).contains("max-restarts=2");
    }

    @Test
    void outOfMemoryDoesNotOverrideDisabledRestarts() {
        assertThat(policy(false, 10, 5, 0.5).onCrash(0, true).restart()).isFalse();
    }

    @Test
    void crashesOlderThanTheWindowNoLongerCount() {
        RestartPolicy p = policy(true, 100, 2, 0.5);
        assertThat(p.onCrash(0).restart()).isTrue();
        assertThat(p.onCrash(SECOND).restart()).isTrue();
        RestartPolicy.Decision later = p.onCrash(120 * SECOND);
        assertThat(later.restart()).isTrue();
        assertThat(later.delay().toMillis()).as("the backoff starts again").isEqualTo(100);
    }

    @Test
    void maxRestartsCountsOverTheWorkersLife() {
        RestartPolicy p = policy(true, 2, 100, 0.5);
        assertThat(p.onCrash(0).restart()).isTrue();
        assertThat(p.onCrash(1000 * SECOND).restart()).isTrue();
        RestartPolicy.Decision third = p.onCrash(2000 * SECOND);
        assertThat(third.restart()).isFalse();
        assertThat(third.reason()).contains("max-restarts=2");
    }
}
