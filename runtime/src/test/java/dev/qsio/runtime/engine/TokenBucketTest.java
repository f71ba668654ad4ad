package dev.qsio.runtime.engine;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The token bucket on a clock the test moves. */
class TokenBucketTest {

    static final long SECOND = 1_000_000_000L;

    @Test
    void aFullBucketGivesItsBurstThenItsRate() {
        TokenBucket b = new TokenBucket(2, 3, 0);
        assertThat(b.take(1, 0)).isTrue();
        assertThat(b.take(1, 0)).isTrue();
        assertThat(b.take(1, 0)).isTrue();
        assertThat(b.take(1, 0)).isFalse();
        assertThat(b.secondsUntil(1, 0)).isEqualTo(1);
        // half a second: one token at 2 a second
        assertThat(b.take(1, SECOND / 2)).isTrue();
        assertThat(b.take(1, SECOND / 2)).isFalse();
        // never more than the burst, however long it waited
        assertThat(b.full(100 * SECOND)).isTrue();
        assertThat(b.take(3, 100 * SECOND)).isTrue();
        assertThat(b.take(1, 100 * SECOND)).isFalse();
    }

    @Test
    void aChargeMayGoIntoDebtWhichTheRatePaysBack() {
        TokenBucket b = new TokenBucket(1000, 3000, 0);
        assertThat(b.inCredit(0)).isTrue();
        b.charge(5000, 0);
        assertThat(b.inCredit(0)).isFalse();
        assertThat(b.secondsUntil(0, 0)).isEqualTo(2);
        assertThat(b.inCredit(SECOND)).isFalse();
        assertThat(b.inCredit(2 * SECOND)).isTrue();
        assertThat(b.full(2 * SECOND)).isFalse();
        assertThat(b.full(5 * SECOND)).isTrue();
    }
}
