package dev.qsio.runtime.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.qsio.runtime.adapter.InMemorySessionStore;
import dev.qsio.runtime.adapter.SessionStore.Logged;
import dev.qsio.runtime.protocol.ProtocolJson;

/**
 * The tail answers for an offset only while it holds every logged broadcast after it, filtered as the log in Redis is
 * (namespace, rooms, exceptions); anything else is read from Redis.
 */
class StreamTailTest {

    static final ProtocolJson JSON = ProtocolJson.from(new ObjectMapper());

    static StreamTail.Broadcast broadcast(String id, String nsp, Set<String> rooms, Set<String> except) {
        return new StreamTail.Broadcast(id, nsp, rooms, except,
                JSON.encoder().event(nsp, -1, "news", new Object[] { id, id }));
    }

    static List<String> offsets(List<Logged> logged) {
        return logged.stream().map(Logged::offset).toList();
    }

    final StreamTail tail = new StreamTail(60_000, 1 << 20);

    @Test
    void answersFromTheFirstEntryItReadAndFiltersAsTheLogDoes() {
        assertThat(tail.after("/", Set.of(), "1700000000000-0")).as("nothing read yet").isNull();
        tail.read("1700000000001-0", null); // a heartbeat: read, nothing kept
        tail.read("1700000000002-0", broadcast("1700000000002-0", "/", Set.of(), Set.of()));
        tail.read("1700000000003-0", broadcast("1700000000003-0", "/", Set.of("r1"), Set.of()));
        tail.read("1700000000003-1", broadcast("1700000000003-1", "/other", Set.of(), Set.of()));
        tail.read("1700000000004-0", broadcast("1700000000004-0", "/", Set.of(), Set.of("muted")));
        tail.read("1700000000005-0", null);

        assertThat(tail.after("/", Set.of("sid"), "1700000000000-9"))
                .as("an offset before the first entry read: what came between was never read here").isNull();
        assertThat(offsets(tail.after("/", Set.of("sid"), "1700000000001-0")))
                .containsExactly("1700000000002-0", "1700000000004-0");
        assertThat(offsets(tail.after("/", Set.of("sid", "r1"), "1700000000002-0")))
                .containsExactly("1700000000003-0", "1700000000004-0");
        assertThat(offsets(tail.after("/", Set.of("sid", "muted"), "1700000000001-0")))
                .containsExactly("1700000000002-0");
        assertThat(offsets(tail.after("/other", Set.of("sid"), "1700000000001-0")))
                .containsExactly("1700000000003-1");
        // the ids compare as numbers: 10 after 9
        tail.read("1700000000005-10", broadcast("1700000000005-10", "/", Set.of(), Set.of()));
        assertThat(offsets(tail.after("/", Set.of("sid"), "1700000000005-9"))).containsExactly("1700000000005-10");
        assertThat(tail.after("/", Set.of("sid"), "1700000000005-10")).as("the last entry: nothing missed").isEmpty();
        assertThat(tail.after("/", Set.of("sid"), "1700000000006-0")).as("after what the reader read").isNull();
        assertThat(tail.after("/", Set.of("sid"), "pending-3")).as("not an entry's id").isNull();
    }

    @Test
    void thePacketCarriesItsEntrysIdAsOffset() {
        tail.read("1700000000002-0", broadcast("1700000000002-0", "/", Set.of(), Set.of()));
        tail.read("1700000000003-0", broadcast("1700000000003-0", "/", Set.of(), Set.of()));
        Logged l = tail.after("/", Set.of(), "1700000000002-0").get(0);
        assertThat(l.packet().text()).isEqualTo("2[\"news\",\"1700000000003-0\",\"1700000000003-0\"]");
    }

    @Test
    void anEntryDroppedByTheCapMovesWhereTheTailAnswersFrom() {
        long one = broadcast("1700000000001-0", "/", Set.of(), Set.of()).packet().size() + "1700000000001-0".length()
                + InMemorySessionStore.ENTRY_OVERHEAD;
        StreamTail small = new StreamTail(60_000, 2 * one);
        for (int i = 1; i <= 4; i++) {
            String id = "170000000000" + i + "-0";
            small.read(id, broadcast(id, "/", Set.of(), Set.of()));
        }
        assertThat(small.size()).isEqualTo(2);
        assertThat(small.bytes()).isEqualTo(2 * one);
        assertThat(small.after("/", Set.of(), "1700000000001-0")).as("entry 2, after it, was dropped").isNull();
        assertThat(offsets(small.after("/", Set.of(), "1700000000002-0")))
                .as("a client that saw the dropped entry misses only what is kept")
                .containsExactly("1700000000003-0", "1700000000004-0");
    }

    @Test
    void entriesOlderThanTheWindowAreDropped() {
        StreamTail none = new StreamTail(-1, 1 << 20);
        none.read("1700000000001-0", broadcast("1700000000001-0", "/", Set.of(), Set.of()));
        none.read("1700000000002-0", broadcast("1700000000002-0", "/", Set.of(), Set.of()));
        assertThat(none.size()).isZero();
        assertThat(none.after("/", Set.of(), "1700000000001-0")).isNull();
        assertThat(none.after("/", Set.of(), "1700000000002-0")).isEmpty();
    }

    @Test
    void aReaderThatLostItsPlaceStartsTheTailAgain() {
        tail.read("1700000000001-0", broadcast("1700000000001-0", "/", Set.of(), Set.of()));
        tail.read("1700000000002-0", broadcast("1700000000002-0", "/", Set.of(), Set.of()));
        tail.restart();
        assertThat(tail.after("/", Set.of(), "1700000000001-0")).isNull();
        tail.read("1700000000009-0", broadcast("1700000000009-0", "/", Set.of(), Set.of()));
        assertThat(tail.after("/", Set.of(), "1700000000002-0")).as("what came between may be lost").isNull();
        assertThat(tail.after("/", Set.of(), "1700000000009-0")).isEmpty();
        assertThat(tail.answered()).containsExactly(1, 2);
    }
}
