package dev.qsio.runtime.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.qsio.runtime.adapter.SessionStore.Logged;
import dev.qsio.runtime.adapter.SessionStore.Session;
import dev.qsio.runtime.protocol.Encoded;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;

/**
 * The primary's keeper of its workers' sessions for connection state recovery, fed the CONTROL messages a worker's
 * {@link ControlSessionStore} sends: a killed worker's sessions are recovered by another worker with what they missed
 * (attachments and binary packets intact, other rooms' broadcasts left out); an old owner's late writes leave a
 * restored session alone; the log's byte cap trims the oldest and counts it.
 */
class SessionKeeperTest {

    static final ObjectMapper JSON = new ObjectMapper();
    final Vertx vertx = Vertx.vertx();

    @AfterEach
    void close() {
        vertx.close();
    }

    ControlSessionStore.Keeper keeper(long maxLogBytes) {
        return new ControlSessionStore.Keeper(vertx, 120_000, maxLogBytes);
    }

    static ObjectNode session(String op, String pid, String... rooms) {
        ObjectNode o = Control.op(op).put("nsp", "/");
        o.set("session", ControlSessionStore.sessionJson(JSON, new Session("sid-" + pid, pid, Set.of(rooms),
                Map.of("name", "ann-" + pid))));
        return o;
    }

    static void log(ControlSessionStore.Keeper keeper, int slot, String offset, Encoded packet, String... rooms) {
        ObjectNode op = Control.op(Control.LOG).put("nsp", "/").put("offset", offset);
        op.set("packet", ControlSessionStore.packet(packet));
        Set.of(rooms).forEach(op.putArray("rooms")::add);
        op.putArray("except");
        assertThat(keeper.handle(slot, op)).isNull();
    }

    static JsonNode recover(ControlSessionStore.Keeper keeper, int slot, String pid, String offset) {
        ObjectNode op = Control.op(Control.RECOVER).put("rid", 7).put("nsp", "/").put("pid", pid).put("offset", offset);
        JsonNode answer = Control.decode(keeper.handle(slot, op));
        assertThat(answer.path("op").asText()).isEqualTo(Control.RECOVERED);
        assertThat(answer.path("rid").asLong()).isEqualTo(7);
        return answer;
    }

    static Encoded text(String event) {
        return Encoded.of("2[\"" + event + "\"]", List.of());
    }

    @Test
    void theSessionsOfAKilledWorkerAreRecoveredOnAnotherWithWhatTheyMissed() throws Exception {
        ControlSessionStore.Keeper keeper = keeper(1 << 20);
        keeper.handle(1, session(Control.CLAIM, "p1", "r"));
        log(keeper, 1, "o1", text("one"));
        Encoded withAttachment = Encoded.of("51-[\"bin\",{\"_placeholder\":true,\"num\":0}]",
                List.of(Buffer.buffer(new byte[] { 0, 1, 2, (byte) 255 })));
        log(keeper, 2, "o2", withAttachment, "r");
        log(keeper, 2, "o3", text("elsewhere"), "other");
        Encoded binary = Encoded.binary(Buffer.buffer(new byte[] { (byte) 0x83, 1, 2 }));
        log(keeper, 1, "o4", binary);

        assertThat(keeper.orphan(2)).as("worker 2 held no session").isZero();
        assertThat(keeper.orphan(1)).as("worker 1's connected session").isEqualTo(1);
        JsonNode answer = recover(keeper, 2, "p1", "o1");
        Session s = ControlSessionStore.session(JSON, answer.path("session"));
        assertThat(s.sid()).isEqualTo("sid-p1");
        assertThat(s.rooms()).containsExactly("r");
        assertThat(s.data()).containsEntry("name", "ann-p1");
        List<Logged> missed = ControlSessionStore.logged(answer.path("missed"));
        assertThat(missed).extracting(Logged::offset).containsExactly("o2", "o4");
        assertThat(missed.get(0).packet().messages().get(0).text()).isEqualTo(withAttachment.messages().get(0).text());
        assertThat(missed.get(0).packet().attachments()).hasSize(1);
        assertThat(missed.get(0).packet().attachments().get(0).getBytes()).containsExactly(0, 1, 2, 255);
        assertThat(missed.get(1).packet().binaryPacket()).isTrue();
        assertThat(missed.get(1).packet().messages().get(0).binary().getBytes()).containsExactly(0x83, 1, 2);

        // taken once: the same request again finds nothing
        assertThat(recover(keeper, 2, "p1", "o1").has("session")).isFalse();
    }

    @Test
    void aConnectedSessionIsRecoveredToo() {
        // its worker has not noticed the connection is gone (a stalled worker): the restoring one closes it
        ControlSessionStore.Keeper keeper = keeper(1 << 20);
        keeper.handle(1, session(Control.CLAIM, "p1"));
        log(keeper, 1, "o1", text("one"));
        log(keeper, 1, "o2", text("two"));
        JsonNode answer = recover(keeper, 2, "p1", "o1");
        assertThat(ControlSessionStore.logged(answer.path("missed"))).extracting(Logged::offset).containsExactly("o2");
    }

    @Test
    void theLateWritesOfTheOldOwnerLeaveARestoredSessionAlone() {
        ControlSessionStore.Keeper keeper = keeper(1 << 20);
        keeper.handle(1, session(Control.CLAIM, "p1", "r"));
        log(keeper, 1, "o1", text("one"));
        assertThat(recover(keeper, 2, "p1", "o1").has("session")).isTrue();
        keeper.handle(2, session(Control.CLAIM, "p1", "r"));
        // worker 1 still held the old connection: a room joined there, its disconnection, and its leave on purpose
        keeper.handle(1, session(Control.SAVE, "p1", "x"));
        keeper.handle(1, session(Control.DISCONNECTED, "p1", "x"));
        keeper.handle(1, Control.op(Control.FORGET).put("nsp", "/").put("pid", "p1"));
        assertThat(keeper.orphan(1)).isZero();
        // worker 2's socket disconnects; the client recovers again with the rooms worker 2 stored
        keeper.handle(2, session(Control.DISCONNECTED, "p1", "r"));
        JsonNode again = recover(keeper, 1, "p1", "o1");
        assertThat(ControlSessionStore.session(JSON, again.path("session")).rooms()).containsExactly("r");
    }

    @Test
    void aSessionForgottenOnPurposeIsNotRecovered() {
        ControlSessionStore.Keeper keeper = keeper(1 << 20);
        keeper.handle(1, session(Control.CLAIM, "p1"));
        log(keeper, 1, "o1", text("one"));
        keeper.handle(1, Control.op(Control.FORGET).put("nsp", "/").put("pid", "p1"));
        assertThat(recover(keeper, 2, "p1", "o1").has("session")).isFalse();
    }

    @Test
    void theLogsByteCapTrimsTheOldestAndCountsThem() {
        ControlSessionStore.Keeper keeper = keeper(2500);
        keeper.handle(1, session(Control.CLAIM, "p1"));
        String payload = "x".repeat(180);
        for (int i = 1; i <= 10; i++) {
            log(keeper, 1, "o" + i, text(payload + i));
        }
        assertThat(keeper.store().logBytes()).isLessThanOrEqualTo(2500);
        assertThat(keeper.store().logEntries()).isEqualTo(5);
        assertThat(keeper.store().trimmedEntries()).isEqualTo(5);
        assertThat(keeper.store().logEntries() + keeper.store().trimmedEntries()).isEqualTo(10);
        keeper.orphan(1);
        // an offset that was trimmed is no longer in the log: the client connects as a new socket
        assertThat(recover(keeper, 2, "p1", "o3").has("session")).isFalse();
        keeper.handle(1, session(Control.DISCONNECTED, "p1"));
        JsonNode kept = recover(keeper, 2, "p1", "o7");
        assertThat(ControlSessionStore.logged(kept.path("missed"))).extracting(Logged::offset)
                .containsExactly("o8", "o9", "o10");
    }

    @Test
    void aBadMessageIsIgnoredAndAnswersNothing() {
        ControlSessionStore.Keeper keeper = keeper(1 << 20);
        ObjectNode op = Control.op(Control.LOG).put("nsp", "/").put("offset", "o1");
        op.putArray("packet").addObject().put("b", "not base64 !!");
        assertThat(keeper.handle(1, op)).isNull();
        assertThat(keeper.store().logEntries()).isZero();
    }

    /**
     * The warm-up's exercise restores every session it stores through both ends of the codec (a restore the codec
     * lost would not count), each with the broadcast it missed.
     */
    @Test
    void theWarmUpExerciseRestoresEverySessionThroughTheCodec() {
        assertThat(ControlSessionStore.exercise(JSON, 300)).isEqualTo(300);
        assertThat(ControlSessionStore.exercise(JSON, 0)).isZero();
    }
}
