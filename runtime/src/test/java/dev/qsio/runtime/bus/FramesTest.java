package dev.qsio.runtime.bus;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.parsetools.RecordParser;

/** The framing of the local bus and the member list the primary announces. */
class FramesTest {

    @Test
    void framesSurviveAnySplitOfTheStream() {
        Buffer stream = Buffer.buffer()
                .appendBuffer(Frames.frame(Frames.HEARTBEAT, Buffer.buffer().appendLong(42)))
                .appendBuffer(Frames.frame(Frames.RELAY, 7, Buffer.buffer("payload")))
                .appendBuffer(Frames.frame(Frames.WELCOME, null));
        for (int chunk = 1; chunk <= stream.length(); chunk++) {
            List<Buffer> frames = new ArrayList<>();
            boolean[] error = new boolean[1];
            RecordParser parser = Frames.parser(f -> frames.add(f.copy()), () -> error[0] = true);
            for (int i = 0; i < stream.length(); i += chunk) {
                parser.handle(stream.slice(i, Math.min(stream.length(), i + chunk)));
            }
            assertThat(error[0]).isFalse();
            assertThat(frames).hasSize(3);
            assertThat(frames.get(0).getByte(0)).isEqualTo(Frames.HEARTBEAT);
            assertThat(frames.get(0).getLong(1)).isEqualTo(42);
            assertThat(frames.get(1).getByte(0)).isEqualTo(Frames.RELAY);
            assertThat(frames.get(1).getInt(1)).isEqualTo(7);
            assertThat(frames.get(1).getString(5, frames.get(1).length())).isEqualTo("payload");
            assertThat(frames.get(2).length()).isEqualTo(1);
        }
    }

    @Test
    void aLengthOutOfBoundsIsAnError() {
        for (int length : new int[] { 0, -1, Frames.MAX_FRAME + 1 }) {
            boolean[] error = new boolean[1];
            List<Buffer> frames = new ArrayList<>();
            RecordParser parser = Frames.parser(frames::add, () -> error[0] = true);
            parser.handle(Buffer.buffer().appendInt(length).appendByte((byte) 1));
            assertThat(error[0]).as("length %d", length).isTrue();
            assertThat(frames).isEmpty();
        }
    }

    @Test
    void memberListsRoundTrip() {
        Map<Integer, Integer> members = new LinkedHashMap<>();
        members.put(1, 1);
        members.put(5, 2);
        members.put(9, 3);
        Buffer encoded = Buffer.buffer().appendByte((byte) 0).appendBuffer(new MemberList(members).encode());
        assertThat(MemberList.decode(encoded, 1).workersBySlot()).containsExactlyEntriesOf(members);
        assertThat(MemberList.decode(new MemberList(Map.of()).encode(), 0).workersBySlot()).isEmpty();
    }
}
