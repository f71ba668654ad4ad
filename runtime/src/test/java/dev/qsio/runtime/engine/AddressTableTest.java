package dev.qsio.runtime.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

/** The token bucket, the sessions and the bounded table of {@link AddressLimits}, on a clock the test moves. */
class AddressTableTest {

    private static final long SECOND = 1_000_000_000L;

    private final AtomicLong now = new AtomicLong(1_000 * SECOND);

    private AddressLimits limits(double rate, int burst, int sessions, int maxAddresses) {
        return new AddressLimits(new AddressLimits.Settings(rate, burst, sessions, maxAddresses), now::get);
    }

    private static AddressLimits.Refusal admit(AddressLimits limits, String address) {
        return limits.admit(address, new AddressLimits.Entry[1], null);
    }

    @Test
    void theBucketHoldsTheBurstAndRefillsAtTheRate() {
        AddressLimits limits = limits(2, 3, 0, 100);
        for (int i = 0; i < 3; i++) {
            assertThat(admit(limits, "a")).isNull();
        }
        AddressLimits.Refusal refused = admit(limits, "a");
        assertThat(refused.reason()).isEqualTo(AddressLimits.Reason.RATE);
        assertThat(refused.retryAfterSeconds()).isEqualTo(1);
        assertThat(admit(limits, "b")).as("another address").isNull();

        now.addAndGet(SECOND / 2);
        assertThat(admit(limits, "a")).as("one token after half a second").isNull();
        assertThat(admit(limits, "a")).isNotNull();
        now.addAndGet(100 * SECOND);
        for (int i = 0; i < 3; i++) {
            assertThat(admit(limits, "a")).as("refilled to the burst, no more").isNull();
        }
        assertThat(admit(limits, "a")).isNotNull();
    }

    @Test
    void theProcesssRateBoundsAStormFromManyAddressesAfterTheirOwnLimits() {
        // 50 a second per address, burst 5; the process 10 a second for all, burst 20
        AddressLimits limits = new AddressLimits(new AddressLimits.Settings(50, 5, 0, 1000, 10, 20, false), now::get);
        int accepted = 0;
        for (int i = 0; i < 100; i++) {
            if (admit(limits, "10.0.0." + i) == null) {
                accepted++;
            }
        }
        assertThat(accepted).as("the process's burst, whatever the addresses").isEqualTo(20);
        AddressLimits.Refusal refused = admit(limits, "10.0.1.1");
        assertThat(refused.reason()).isEqualTo(AddressLimits.Reason.SERVER_RATE);
        assertThat(refused.retryAfterSeconds()).isEqualTo(1);

        now.addAndGet(SECOND);
        accepted = 0;
        for (int i = 0; i < 100; i++) {
            if (admit(limits, "10.0.2." + i) == null) {
                accepted++;
            }
        }
        assertThat(accepted).as("a second later: the rate").isEqualTo(10);

        // one address past its own limit does not spend the process's budget
        now.addAndGet(100 * SECOND);
        for (int i = 0; i < 5; i++) {
            assertThat(admit(limits, "one")).isNull();
        }
        for (int i = 0; i < 1000; i++) {
            assertThat(admit(limits, "one").reason()).isEqualTo(AddressLimits.Reason.RATE);
        }
        for (int i = 0; i < 15; i++) {
            assertThat(admit(limits, "other" + i)).as("the rest of the process's burst").isNull();
        }
        assertThat(admit(limits, "other-last").reason()).isEqualTo(AddressLimits.Reason.SERVER_RATE);
    }

    @Test
    void theProcesssRateAloneLimits() {
        AddressLimits limits = new AddressLimits(new AddressLimits.Settings(0, 1, 0, 1000, 1, 2, false), now::get);
        assertThat(limits.enabled()).isTrue();
        assertThat(admit(limits, "a")).isNull();
        assertThat(admit(limits, "a")).isNull();
        assertThat(admit(limits, "b").reason()).isEqualTo(AddressLimits.Reason.SERVER_RATE);
        assertThat(limits.size()).as("no address tracked").isZero();
    }

    @Test
    void aSlowRateTellsTheClientToWaitLonger() {
        AddressLimits limits = limits(0.1, 1, 0, 100);
        assertThat(admit(limits, "a")).isNull();
        assertThat(admit(limits, "a").retryAfterSeconds()).isEqualTo(10);
    }

    @Test
    void anAddressAtItsSessionsIsRefusedUntilOneCloses() {
        AddressLimits limits = limits(0, 1, 2, 100);
        AddressLimits.Entry[] entry = new AddressLimits.Entry[1];
        assertThat(limits.admit("a", entry, null)).isNull();
        AddressLimits.Entry first = limits.opened(entry[0]);
        assertThat(limits.admit("a", entry, null)).isNull();
        limits.opened(entry[0]);
        AddressLimits.Refusal refused = admit(limits, "a");
        assertThat(refused.reason()).isEqualTo(AddressLimits.Reason.SESSIONS);
        assertThat(refused.retryAfterSeconds()).isEqualTo(AddressLimits.SESSIONS_RETRY_AFTER_SECONDS);
        limits.closed(first);
        assertThat(admit(limits, "a")).isNull();
    }

    @Test
    void idleAddressesAreForgottenAndThoseWithSessionsKept() {
        AddressLimits limits = limits(1, 5, 10, 1_000);
        AddressLimits.Entry[] entry = new AddressLimits.Entry[1];
        limits.admit("busy", entry, null);
        AddressLimits.Entry busy = limits.opened(entry[0]);
        for (int i = 0; i < 100; i++) {
            admit(limits, "idle-" + i);
        }
        assertThat(limits.size()).isEqualTo(101);
        // long enough for every bucket to be full again: the next new address sweeps the idle ones
        now.addAndGet(AddressLimits.SWEEP_INTERVAL_SECONDS * SECOND);
        admit(limits, "new");
        assertThat(limits.size()).isEqualTo(2);
        limits.closed(busy);
        now.addAndGet(AddressLimits.SWEEP_INTERVAL_SECONDS * SECOND);
        admit(limits, "newer");
        assertThat(limits.size()).isEqualTo(1);
    }

    @Test
    void theTableNeverHoldsMoreThanItsMaximum() {
        AddressLimits limits = limits(1, 1, 0, 100);
        for (int i = 0; i < 10_000; i++) {
            assertThat(admit(limits, "10.0." + (i / 256) + "." + (i % 256))).isNull();
            assertThat(limits.size()).isLessThanOrEqualTo(100);
            if (i % 50 == 0) {
                now.addAndGet(SECOND / 4);
            }
        }
        // the addresses of the table are still limited
        String last = "10.0." + (9_999 / 256) + "." + (9_999 % 256);
        assertThat(admit(limits, last)).isNotNull();
    }

    @Test
    void whenAddressesWithSessionsFillTheTableOthersGoUncounted() {
        AddressLimits limits = limits(1, 1, 1, 10);
        AddressLimits.Entry[] entry = new AddressLimits.Entry[1];
        for (int i = 0; i < 10; i++) {
            assertThat(limits.admit("a" + i, entry, null)).isNull();
            limits.opened(entry[0]);
        }
        now.addAndGet(SECOND);
        assertThat(limits.admit("other", entry, null)).isNull();
        assertThat(entry[0]).as("not tracked").isNull();
        assertThat(limits.size()).isEqualTo(10);
        assertThat(admit(limits, "a0").reason()).as("those in the table still are")
                .isEqualTo(AddressLimits.Reason.SESSIONS);
    }

    @Test
    void anAddressCoolingDownIsRefusedUntilItsEndAndItsEntryOutlivesASweep() {
        AddressLimits limits = new AddressLimits(new AddressLimits.Settings(0, 1, 0, 1000, 0, 1, true), now::get);
        AddressLimits.Entry[] entry = new AddressLimits.Entry[1];
        assertThat(limits.admit("a", entry, null)).as("cooldowns alone track addresses").isNull();
        assertThat(entry[0]).isNotNull();
        limits.coolDown(entry[0], 15 * SECOND);
        limits.coolDown(entry[0], 2 * SECOND);

        AddressLimits.Refusal refused = admit(limits, "a");
        assertThat(refused.reason()).isEqualTo(AddressLimits.Reason.COOLDOWN);
        assertThat(refused.retryAfterSeconds()).as("the longer cooldown stays").isEqualTo(15);
        assertThat(admit(limits, "b")).as("another address").isNull();
        assertThat(limits.size()).isEqualTo(2);

        // the sweep that a new address brings after 10 s drops the entry that says nothing and keeps the cooling one
        now.addAndGet(12 * SECOND + SECOND / 2);
        assertThat(admit(limits, "c")).isNull();
        assertThat(limits.size()).isEqualTo(2);
        refused = admit(limits, "a");
        assertThat(refused.reason()).isEqualTo(AddressLimits.Reason.COOLDOWN);
        assertThat(refused.retryAfterSeconds()).as("rounded up").isEqualTo(3);
        now.addAndGet(3 * SECOND);
        assertThat(admit(limits, "a")).as("after the cooldown").isNull();
    }
}
