package dev.qsio.runtime.adapter;

import dev.qsio.runtime.security.IdentitySnapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;

import dev.qsio.AckTimeoutException;
import dev.qsio.BroadcastOperator;
import dev.qsio.Handshake;
import dev.qsio.RemoteSocket;
import dev.qsio.runtime.protocol.Encoded;
import dev.qsio.runtime.protocol.ProtocolJson;
import dev.qsio.runtime.requests.RequestTracker;
import io.vertx.core.Vertx;

/** The room index of one process and delivery to its sockets. */
class InMemoryAdapterTest {

    static Vertx vertx;
    static final ProtocolJson JSON = ProtocolJson.from(new ObjectMapper());

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stop() {
        vertx.close();
    }

    /** A socket that records what it is sent. */
    static final class Recorder implements AdapterSocket {

        @Override
        public io.quarkus.security.identity.SecurityIdentity securityIdentity() {
            return IdentitySnapshot.ANONYMOUS;
        }

        final String id;
        final List<String> received = new ArrayList<>();
        final Map<Long, Consumer<List<JsonNode>>> acks = new LinkedHashMap<>();
        boolean busy;
        boolean disconnected;
        Object home;
        InMemoryAdapter adapter;

        Recorder(String id) {
            this.id = id;
        }

        @Override
        public void write(Encoded packet, boolean dropIfBusy) {
            if (!(dropIfBusy && busy)) {
                received.add(packet.text());
            }
        }

        @Override
        public void expectAck(long ackId, Consumer<List<JsonNode>> callback) {
            acks.put(ackId, callback);
        }

        @Override
        public void forgetAck(long ackId) {
            acks.remove(ackId);
        }

        @Override
        public Object home() {
            return home;
        }

        void answer(String... values) {
            List<JsonNode> args = Arrays.stream(values).<JsonNode> map(TextNode::valueOf).toList();
            acks.values().forEach(c -> c.accept(args));
        }

        @Override
        public String id() {
            return id;
        }

        @Override
        public String namespace() {
            return "/";
        }

        @Override
        public Handshake handshake() {
            return null;
        }

        @Override
        public Set<String> rooms() {
            return adapter.socketRooms(id);
        }

        @Override
        public Map<String, Object> data() {
            return Map.of();
        }

        @Override
        public void emit(String event, Object... args) {
        }

        @Override
        public void join(String... rooms) {
            adapter.addAll(id, Set.of(rooms));
        }

        @Override
        public void leave(String room) {
            adapter.del(id, room);
        }

        @Override
        public void disconnect(boolean close) {
            disconnected = true;
            adapter.delAll(id);
        }
    }

    /** A namespace of recorders. */
    static final class Sockets implements LocalSockets {
        final Map<String, Recorder> sockets = new LinkedHashMap<>();
        final AtomicLong ackIds = new AtomicLong();
        /** The groupings large rooms were delivered by, in turn. */
        final List<Partitions> delivered = new ArrayList<>();
        /** What {@link #later} was given, run when a test says. */
        final List<Runnable> timers = new ArrayList<>();

        @Override
        public void deliver(Encoded packet, boolean dropIfBusy, Set<String> except, Partitions partitions) {
            delivered.add(partitions);
            LocalSockets.super.deliver(packet, dropIfBusy, except, partitions);
        }

        @Override
        public String name() {
            return "/";
        }

        @Override
        public Collection<Recorder> sockets() {
            return sockets.values();
        }

        @Override
        public AdapterSocket socket(String id) {
            return sockets.get(id);
        }

        @Override
        public long nextAckId() {
            return ackIds.getAndIncrement();
        }

        @Override
        public void later(long delayMs, Runnable task) {
            timers.add(task);
        }

        @Override
        public BroadcastOperator select(String socketId) {
            throw new UnsupportedOperationException();
        }
    }

    Sockets sockets = new Sockets();
    InMemoryAdapter adapter = new InMemoryAdapter(sockets, JSON.encoder(), new RequestTracker(vertx));

    Recorder connect(String id, String... rooms) {
        Recorder r = new Recorder(id);
        r.adapter = adapter;
        sockets.sockets.put(id, r);
        adapter.addAll(id, Set.of(id));
        adapter.addAll(id, Set.of(rooms));
        return r;
    }

    Broadcast event(String text, BroadcastOptions options) {
        Object[] args = { text };
        return new Broadcast("/", "e", args, JSON.encoder().event("/", -1, "e", args), options, false, false);
    }

    @Test
    void roomIndexFollowsJoinsAndLeaves() {
        connect("a", "r1", "r2");
        connect("b", "r2");
        assertThat(adapter.socketRooms("a")).containsExactlyInAnyOrder("a", "r1", "r2");
        assertThat(adapter.rooms()).containsExactlyInAnyOrder("a", "b", "r1", "r2");
        adapter.del("a", "r1");
        assertThat(adapter.rooms()).as("an empty room is gone").doesNotContain("r1");
        adapter.delAll("b");
        assertThat(adapter.rooms()).containsExactlyInAnyOrder("a", "r2");
        assertThat(adapter.socketRooms("b")).isEmpty();
    }

    @Test
    void broadcastsReachTheSelectionOnceEach() {
        Recorder a = connect("a", "r1", "r2");
        Recorder b = connect("b", "r2");
        Recorder c = connect("c", "r3");
        adapter.broadcast(event("all", BroadcastOptions.ALL));
        adapter.broadcast(event("rooms", new BroadcastOptions(Set.of("r1", "r2"), Set.of(), false, false)));
        adapter.broadcast(event("except", new BroadcastOptions(Set.of(), Set.of("r1"), false, false)));
        adapter.broadcast(event("none", new BroadcastOptions(Set.of("missing"), Set.of(), false, false)));
        assertThat(a.received).containsExactly("2[\"e\",\"all\"]", "2[\"e\",\"rooms\"]");
        assertThat(b.received).containsExactly("2[\"e\",\"all\"]", "2[\"e\",\"rooms\"]", "2[\"e\",\"except\"]");
        assertThat(c.received).containsExactly("2[\"e\",\"all\"]", "2[\"e\",\"except\"]");
    }

    @Test
    void volatileBroadcastsSkipBusySockets() {
        Recorder a = connect("a");
        Recorder b = connect("b");
        b.busy = true;
        adapter.broadcast(event("v", new BroadcastOptions(Set.of(), Set.of(), false, true)));
        assertThat(a.received).hasSize(1);
        assertThat(b.received).isEmpty();
    }

    @Test
    void acknowledgementsAreCollectedFromEveryReachedSocket() throws Exception {
        Recorder a = connect("a", "r");
        Recorder b = connect("b", "r");
        connect("c");
        CompletableFuture<List<List<JsonNode>>> result = adapter.broadcastWithAck(
                event("q", new BroadcastOptions(Set.of("r"), Set.of(), false, false)), Duration.ofSeconds(10))
                .toCompletableFuture();
        assertThat(a.received).singleElement().asString().startsWith("20[\"e\"");
        assertThat(result).isNotDone();
        a.answer("x");
        assertThat(result).isNotDone();
        b.answer("y", "and more");
        assertThat(result.get(5, TimeUnit.SECONDS)).extracting(values -> values.stream().map(JsonNode::asText).toList())
                .containsExactlyInAnyOrder(List.of("x"), List.of("y", "and more"));
    }

    @Test
    void missingAcknowledgementsFailAtTheTimeoutSayingHowManyAnswered() {
        Recorder a = connect("a");
        connect("b");
        CompletableFuture<List<List<JsonNode>>> result = adapter.broadcastWithAck(event("q", BroadcastOptions.ALL),
                Duration.ofMillis(100)).toCompletableFuture();
        a.answer("x");
        assertThatThrownBy(() -> result.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(AckTimeoutException.class).hasMessageContaining("1 of 2 clients acknowledged");
    }

    @Test
    void theRecipientsThatNeverAnswerLetTheAcknowledgementGoAtTheBroadcastsTimeoutOnOneTimer() {
        Recorder a = connect("a");
        Recorder b = connect("b");
        adapter.broadcastWithAck(event("q", BroadcastOptions.ALL), Duration.ofSeconds(5));
        assertThat(a.acks).hasSize(1);
        assertThat(b.acks).hasSize(1);
        assertThat(sockets.timers).hasSize(1);
        sockets.timers.forEach(Runnable::run);
        assertThat(a.acks).isEmpty();
        assertThat(b.acks).isEmpty();
    }

    @Test
    void socketsOperationsActOnTheSelection() throws Exception {
        Recorder a = connect("a", "r");
        Recorder b = connect("b");
        adapter.addSockets(new BroadcastOptions(Set.of("r"), Set.of(), false, false), Set.of("joined"));
        assertThat(adapter.socketRooms("a")).contains("joined");
        assertThat(adapter.socketRooms("b")).doesNotContain("joined");
        List<RemoteSocket> found = adapter.fetchSockets(new BroadcastOptions(Set.of("joined"), Set.of(), false, false))
                .await().atMost(Duration.ofSeconds(1));
        assertThat(found).extracting(RemoteSocket::id).containsExactly("a");
        adapter.delSockets(BroadcastOptions.ALL, Set.of("joined"));
        assertThat(adapter.rooms()).doesNotContain("joined");
        adapter.disconnectSockets(BroadcastOptions.ALL, false);
        assertThat(a.disconnected).isTrue();
        assertThat(b.disconnected).isTrue();
        assertThat(adapter.rooms()).isEmpty();
    }

    @Test
    void aSingleProcessHasNoOtherServer() {
        assertThat(adapter.serverCount().await().atMost(Duration.ofSeconds(1))).isEqualTo(1);
        assertThat(adapter.serverSideEmitWithAck("e", new Object[0], Duration.ofSeconds(1)).await()
                .atMost(Duration.ofSeconds(1))).isEmpty();
    }

    /** Whether the last broadcast reached {@code r} with {@code text}. */
    static boolean got(Recorder r, String text) {
        return !r.received.isEmpty() && r.received.get(r.received.size() - 1).equals("2[\"e\",\"" + text + "\"]");
    }

    @Test
    void aLargeRoomIsDeliveredByItsMembersGroupedWhereTheyLiveUntilItChanges() {
        BroadcastOptions big = new BroadcastOptions(Set.of("big"), Set.of(), false, false);
        List<Recorder> members = new ArrayList<>();
        for (int i = 0; i < InMemoryAdapter.PARTITIONED; i++) {
            Recorder r = connect("m" + i, "big");
            r.home = i % 3 == 0 ? null : i % 3 == 1 ? "loop-1" : "loop-2";
            members.add(r);
        }
        // homes set after joining: the first grouping is made at the first broadcast
        adapter.broadcast(event("1", big));
        assertThat(members).allMatch(r -> got(r, "1"));
        Partitions first = sockets.delivered.get(0);
        assertThat(first.size()).as("one group per home, polling sockets in one of their own").isEqualTo(3);
        assertThat(first.total()).isEqualTo(members.size());
        for (int i = 0; i < first.size(); i++) {
            Object home = first.home(i);
            assertThat(first.members(i)).allMatch(m -> ((Recorder) m).home == home);
        }

        adapter.broadcast(event("2", big));
        assertThat(sockets.delivered.get(1)).as("kept while the room does not change").isSameAs(first);

        Recorder late = connect("late", "big");
        adapter.broadcast(event("3", big));
        assertThat(late.received).as("a member that joined since").containsExactly("2[\"e\",\"3\"]");
        assertThat(sockets.delivered.get(2)).isNotSameAs(first);

        members.get(5).leave("big");
        adapter.broadcast(event("4", big));
        assertThat(got(members.get(5), "4")).as("a member that left since").isFalse();
        assertThat(got(members.get(6), "4")).isTrue();

        adapter.broadcast(event("5", new BroadcastOptions(Set.of("big"), Set.of("m7"), false, false)));
        assertThat(got(members.get(7), "5")).as("an excepted member").isFalse();
        assertThat(got(members.get(8), "5")).isTrue();

        Partitions before = sockets.delivered.get(sockets.delivered.size() - 1);
        before.misplaced();
        adapter.broadcast(event("6", big));
        assertThat(sockets.delivered.get(sockets.delivered.size() - 1)).as("grouped again once misplaced")
                .isNotSameAs(before);
    }

    @Test
    void aMemberKnownOnlyByIdIsLookedUpUntilItIsFound() {
        BroadcastOptions big = new BroadcastOptions(Set.of("big"), Set.of(), false, false);
        for (int i = 0; i < InMemoryAdapter.PARTITIONED; i++) {
            connect("m" + i, "big");
        }
        // joined before this process knows the socket (as a socket restored from another server may)
        adapter.addAll("early", Set.of("big"));
        adapter.broadcast(event("1", big));
        Recorder early = new Recorder("early");
        early.adapter = adapter;
        sockets.sockets.put("early", early);
        adapter.broadcast(event("2", big));
        assertThat(early.received).containsExactly("2[\"e\",\"2\"]");
    }
}
