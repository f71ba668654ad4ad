package dev.qsio.runtime.adapter;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

/** The leases of identities in memory: the cap, a holder's second ask, release, expiry and renewal, on a test clock. */
class LocalIdentityLeasesTest {

    final AtomicLong now = new AtomicLong(1_000);
    final LocalIdentityLeases leases = new LocalIdentityLeases(now::get);

    @Test
    void anIdentityGetsAsManyPlacesAsItsCapAndAHolderKeepsItsOwn() {
        assertThat(leases.take("ann", "c1", 2, 30_000)).isTrue();
        assertThat(leases.take("ann", "c2", 2, 30_000)).isTrue();
        assertThat(leases.take("ann", "c3", 2, 30_000)).as("past the cap").isFalse();
        assertThat(leases.take("ann", "c1", 2, 30_000)).as("a holder asking again keeps its place").isTrue();
        assertThat(leases.take("ben", "c4", 2, 30_000)).as("another identity").isTrue();
        assertThat(leases.count("ann")).isEqualTo(2);

        leases.release("ann", "c2");
        assertThat(leases.take("ann", "c3", 2, 30_000)).as("a released place").isTrue();
        leases.release("ann", "nobody");
        assertThat(leases.count("ann")).isEqualTo(2);
    }

    @Test
    void leasesThatAreNotRenewedExpireAndRenewedOnesGoOn() {
        assertThat(leases.take("ann", "dead", 2, 3_000)).isTrue();
        assertThat(leases.take("ann", "live", 2, 3_000)).isTrue();
        now.addAndGet(2_000);
        leases.renew(Map.of("ann", Set.of("live")), 3_000);
        now.addAndGet(1_500);
        assertThat(leases.count("ann")).as("the dead server's lease expired, the renewed one did not").isEqualTo(1);
        assertThat(leases.take("ann", "new", 2, 3_000)).isTrue();
        assertThat(leases.take("ann", "more", 2, 3_000)).isFalse();
        now.addAndGet(3_000);
        assertThat(leases.take("ann", "more", 2, 3_000)).as("every place expired").isTrue();
    }

    @Test
    void aRenewalTakesALostPlaceAgainEvenOverTheCap() {
        assertThat(leases.take("ann", "c1", 1, 3_000)).isTrue();
        // the keeper restarted: its leases are gone, and another connection took the place meanwhile
        leases.release("ann", "c1");
        assertThat(leases.take("ann", "c2", 1, 3_000)).isTrue();
        leases.renew(Map.of("ann", Set.of("c1")), 3_000);
        assertThat(leases.count("ann")).as("an open connection counts").isEqualTo(2);
        assertThat(leases.take("ann", "c3", 1, 3_000)).isFalse();
    }

    @Test
    void sweepingForgetsIdentitiesWithoutLiveLeases() {
        leases.take("ann", "c1", 1, 1_000);
        leases.take("ben", "c2", 1, 5_000);
        now.addAndGet(2_000);
        leases.sweep();
        assertThat(leases.count("ann")).isZero();
        assertThat(leases.count("ben")).isEqualTo(1);
    }
}
