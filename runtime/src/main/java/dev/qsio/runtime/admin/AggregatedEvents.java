package dev.qsio.runtime.admin;

import java.util.Map;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

/**
 * Node's Admin UI {@code EventBuffer}: how many connections, disconnections (by reason), packets and bytes there were
 * in each second, as {@code {timestamp, type, subType, count}}. Node counts each event as it happens; here the
 * totals are sampled every second and their differences recorded, so that nothing is counted on the data path.
 * Used on one thread (the timer's).
 */
final class AggregatedEvents {

    private AdminFigures.Totals last;
    private ArrayNode buffer = JsonNodeFactory.instance.arrayNode();

    AggregatedEvents(AdminFigures.Totals start) {
        this.last = start;
    }

    /** Records what happened since the previous sample, under the second of {@code nowMillis}. */
    void sample(AdminFigures.Totals now, long nowMillis) {
        long second = nowMillis - nowMillis % 1000;
        add(second, "rawConnection", null, now.connections() - last.connections());
        for (Map.Entry<String, Long> e : now.disconnections().entrySet()) {
            add(second, "rawDisconnection", e.getKey(), e.getValue() - last.disconnections().getOrDefault(e.getKey(), 0L));
        }
        add(second, "packetsIn", null, now.packetsIn() - last.packetsIn());
        add(second, "packetsOut", null, now.packetsOut() - last.packetsOut());
        add(second, "bytesIn", null, now.bytesIn() - last.bytesIn());
        add(second, "bytesOut", null, now.bytesOut() - last.bytesOut());
        last = now;
    }

    private void add(long second, String type, String subType, long count) {
        if (count <= 0) {
            return;
        }
        var event = buffer.addObject().put("timestamp", second).put("type", type);
        if (subType != null) {
            event.put("subType", subType);
        }
        event.put("count", count);
    }

    /** The events recorded since the last call (Node's {@code getValuesAndClear}). */
    ArrayNode drain() {
        ArrayNode events = buffer;
        buffer = JsonNodeFactory.instance.arrayNode();
        return events;
    }
}
