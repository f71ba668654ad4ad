package dev.qsio.runtime.bus;

import java.util.LinkedHashMap;
import java.util.Map;

import io.vertx.core.buffer.Buffer;

/**
 * The live members of a local bus as the primary announces them: bus slot to worker id. Encoded as a count then
 * pairs of ints.
 */
record MemberList(Map<Integer, Integer> workersBySlot) {

    Buffer encode() {
        Buffer b = Buffer.buffer().appendInt(workersBySlot.size());
        workersBySlot.forEach((slot, worker) -> b.appendInt(slot).appendInt(worker));
        return b;
    }

    static MemberList decode(Buffer b, int offset) {
        int n = b.getInt(offset);
        Map<Integer, Integer> map = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            map.put(b.getInt(offset + 4 + i * 8), b.getInt(offset + 8 + i * 8));
        }
        return new MemberList(map);
    }
}
