package dev.qsio.runtime.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** The drop-oldest rule over a queue of packets: oldest droppable first, never the newest, counted by group. */
class DropsTest {

    static EnginePacket p(String text, String group) {
        EnginePacket m = EnginePacket.message(text);
        return group == null ? m : m.droppable(group);
    }

    @Test
    void theOldestDroppableGoFirstAndTheOthersStay() {
        EnginePacket keep1 = p("ack-0123", null);
        EnginePacket a = p("a-0123456", "/prices");
        EnginePacket b = p("b-0123456", "/prices");
        EnginePacket keep2 = p("ack-4567", null);
        EnginePacket c = p("c-0123456", "/news");
        EnginePacket d = p("d-0123456", "/prices");
        ArrayDeque<EnginePacket> q = new ArrayDeque<>(List.of(keep1, a, b, keep2, c, d));
        long droppable = a.size() + b.size() + c.size() + d.size();
        Drops drops = new Drops();

        long removed = drops.dropOldest(q, droppable, 2L * a.size());

        assertThat(removed).isEqualTo(2L * a.size());
        assertThat(drops.lastCount()).isEqualTo(2);
        assertThat(q).containsExactly(keep1, keep2, c, d);
        assertThat(drops.any()).isTrue();
        assertThat(drops.take()).isEqualTo(Map.of("/prices", 2));
        assertThat(drops.any()).as("told once").isFalse();
        assertThat(drops.take()).isNull();
    }

    @Test
    void theNewestStaysWhateverItsSize() {
        EnginePacket old = p("old", "/");
        EnginePacket big = p("x".repeat(1000), "/");
        ArrayDeque<EnginePacket> q = new ArrayDeque<>(List.of(old, big));
        Drops drops = new Drops();

        long removed = drops.dropOldest(q, old.size() + big.size(), 10);

        assertThat(removed).isEqualTo(old.size());
        assertThat(q).containsExactly(big);
        assertThat(drops.take()).isEqualTo(Map.of("/", 1));
    }

    @Test
    void nothingGoesWithinTheBoundOrWithoutDroppablePackets() {
        ArrayDeque<EnginePacket> q = new ArrayDeque<>(List.of(p("a", "/"), p("b", null)));
        Drops drops = new Drops();
        assertThat(drops.dropOldest(q, 2, 2)).isZero();
        ArrayDeque<EnginePacket> kept = new ArrayDeque<>(List.of(p("a", null), p("b", null)));
        assertThat(drops.dropOldest(kept, 100, 0)).isZero();
        assertThat(kept).hasSize(2);
        assertThat(drops.any()).isFalse();
    }
}
