package dev.qsio.runtime.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The primary's keeper of its workers' identity leases: a worker's exit frees the places it held at once, and only
 * those; a lease taken while the worker's renewal was on its way is freed with the others.
 */
class IdentityLeaseKeeperTest {

    final ControlIdentityLeases.Keeper keeper = new ControlIdentityLeases.Keeper();

    boolean lease(int slot, String identity, String holder) {
        ObjectNode op = Control.op(Control.LEASE).put("rid", 1).put("identity", identity).put("holder", holder)
                .put("max", 2).put("leaseMs", 30_000);
        return Control.decode(keeper.handle(slot, op)).path("held").asBoolean();
    }

    void renew(int slot, String identity, String... holders) {
        ObjectNode op = Control.op(Control.RENEW).put("leaseMs", 30_000);
        com.fasterxml.jackson.databind.node.ArrayNode list = op.putObject("held").putArray(identity);
        for (String h : holders) {
            list.add(h);
        }
        keeper.handle(slot, op);
    }

    void unlease(int slot, String identity, String holder) {
        JsonNode op = Control.op(Control.UNLEASE).put("identity", identity).put("holder", holder);
        keeper.handle(slot, op);
    }

    @Test
    void aWorkersExitFreesItsPlacesAndNoOthers() {
        assertThat(lease(1, "ann", "a1")).isTrue();
        assertThat(lease(2, "ann", "a2")).isTrue();
        assertThat(lease(2, "ann", "a3")).as("past the cap of 2").isFalse();
        assertThat(lease(2, "ben", "b1")).isTrue();

        assertThat(keeper.forget(1)).as("worker 1 held one place").isEqualTo(1);
        assertThat(keeper.count("ann")).isEqualTo(1);
        assertThat(keeper.count("ben")).as("another worker's places stay").isEqualTo(1);
        assertThat(lease(2, "ann", "a3")).as("the dead worker's place is free at once").isTrue();
        assertThat(keeper.forget(1)).as("nothing left to free").isZero();
    }

    @Test
    void aPlaceReleasedBeforeTheExitIsNotFreedTwice() {
        assertThat(lease(1, "ann", "a1")).isTrue();
        unlease(1, "ann", "a1");
        assertThat(lease(2, "ann", "a2")).isTrue();
        assertThat(lease(2, "ann", "a3")).isTrue();
        assertThat(keeper.forget(1)).isZero();
        assertThat(keeper.count("ann")).isEqualTo(2);
    }

    @Test
    void aLeaseTakenWhileARenewalWasOnItsWayIsFreedWithTheOthers() {
        assertThat(lease(1, "ann", "a1")).isTrue();
        assertThat(lease(1, "ann", "a2")).isTrue();
        // the renewal was built before a2 was taken
        renew(1, "ann", "a1");
        assertThat(keeper.forget(1)).isEqualTo(2);
        assertThat(keeper.count("ann")).isZero();
    }
}
