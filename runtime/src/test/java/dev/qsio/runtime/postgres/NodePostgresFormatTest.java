package dev.qsio.runtime.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.qsio.runtime.clusteradapter.AdapterMessage;
import dev.qsio.runtime.clusteradapter.AdapterMessage.Origin;
import dev.qsio.runtime.clusteradapter.AdapterMessage.Selection;
import dev.qsio.runtime.clusteradapter.ClusterAdapterMessages;
import dev.qsio.runtime.clusteradapter.EventPayload;
import dev.qsio.runtime.protocol.ProtocolJson;

/**
 * The PostgreSQL wire against what Node writes: {@code node-postgres-messages.jsonl} holds the notifications (and
 * attachment rows) that {@code @socket.io/postgres-adapter} 0.5.0 and {@code @socket.io/postgres-emitter} 0.1.1 wrote,
 * recorded by {@code integration-tests/clients/capture-postgres-messages.mjs} (run it again to refresh them). Each is
 * read as Node means it, and what this server writes has the same shape.
 */
class NodePostgresFormatTest {

    static final ProtocolJson JSON = ProtocolJson.from(new ObjectMapper());
    static final ClusterAdapterMessages MESSAGES = new ClusterAdapterMessages(JSON, "host-a/1.cafe");
    static final Origin ORIGIN = new Origin("host-a/1.cafe", 1, "host-a");

    /** One recorded notification, its message (from the attachment row when there is one), and what made it. */
    record Captured(String source, String what, String channel, JsonNode notified, ObjectNode message) {

        String namespace() {
            return channel.substring("socket.io#".length());
        }
    }

    static List<Captured> captured;

    @BeforeAll
    static void read() throws IOException {
        captured = new ArrayList<>();
        try (InputStream in = NodePostgresFormatTest.class.getResourceAsStream("node-postgres-messages.jsonl")) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode l = JSON.mapper().readTree(line);
                JsonNode notified = JSON.mapper().readTree(l.get("payload").asText());
                JsonNode message = notified;
                if (NodePostgresFormat.attachmentId(notified) >= 0) {
                    message = MESSAGES.wire().msgpack.readTree(Base64.getDecoder().decode(l.get("attachment").asText()));
                }
                captured.add(new Captured(l.get("source").asText(), l.get("what").asText(), l.get("channel").asText(),
                        notified, (ObjectNode) message));
            }
        }
        assertThat(captured).hasSizeGreaterThan(20);
    }

    static Captured of(String source, String what) {
        return captured.stream().filter(c -> c.source().equals(source) && c.what().equals(what)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + source + " " + what + " recorded"));
    }

    static AdapterMessage decode(Captured c) {
        ObjectNode m = NodePostgresFormat.inNamespace(c.namespace(), c.message().deepCopy());
        assertThat(m).as(c.what()).isNotNull();
        return MESSAGES.decode(m, null);
    }

    static List<String> args(AdapterMessage.Broadcast b) throws Exception {
        List<String> args = new ArrayList<>();
        b.payload().argTrees(JSON).forEach(a -> args.add(a.isTextual() ? a.asText() : a.toString()));
        return args;
    }

    @Test
    void theAdaptersBroadcastsAreRead() throws Exception {
        AdapterMessage.Broadcast plain = (AdapterMessage.Broadcast) decode(of("adapter", "broadcast"));
        assertThat(plain.payload().event(JSON)).isEqualTo("news");
        assertThat(args(plain)).containsExactly("hello", "42");
        assertThat(plain.requestId()).isNull();
        assertThat(plain.origin().member()).isEqualTo(of("adapter", "broadcast").message().get("uid").asText());

        AdapterMessage.Broadcast room = (AdapterMessage.Broadcast) decode(of("adapter", "broadcast to a room except another"));
        assertThat(room.selection()).isEqualTo(new Selection(Set.of("r1"), Set.of("muted")));

        Captured binary = of("adapter", "broadcast with a binary value");
        assertThat(binary.notified().toString()).as("only a header is notified")
                .matches("\\{\"uid\":\"[0-9a-f]+\",\"type\":3,\"attachmentId\":\"[0-9]+\"}");
        AdapterMessage.Broadcast bin = (AdapterMessage.Broadcast) decode(binary);
        assertThat(bin.payload().argTrees(JSON).get(0).binaryValue()).containsExactly(1, 2, 3);

        AdapterMessage.Broadcast big = (AdapterMessage.Broadcast) decode(of("adapter", "broadcast over the threshold"));
        assertThat(args(big).get(0)).hasSize(9000);

        AdapterMessage.Broadcast withAck = (AdapterMessage.Broadcast) decode(of("adapter", "broadcast with acknowledgements"));
        assertThat(withAck.requestId()).isNotNull();
        assertThat(withAck.timeoutMs()).isEqualTo(100);
    }

    @Test
    void theAdaptersRequestsAndResponsesAreRead() {
        AdapterMessage.SocketsOperation join = (AdapterMessage.SocketsOperation) decode(of("adapter", "socketsJoin"));
        assertThat(join.operation()).isEqualTo(AdapterMessage.Operation.JOIN);
        assertThat(join.selection().rooms()).containsExactly("r1");
        assertThat(join.rooms()).containsExactly("vip");
        assertThat(((AdapterMessage.SocketsOperation) decode(of("adapter", "socketsLeave"))).operation())
                .isEqualTo(AdapterMessage.Operation.LEAVE);
        AdapterMessage.SocketsOperation disconnect = (AdapterMessage.SocketsOperation) decode(of("adapter",
                "disconnectSockets"));
        assertThat(disconnect.operation()).isEqualTo(AdapterMessage.Operation.DISCONNECT);
        assertThat(disconnect.close()).isTrue();
        assertThat(((AdapterMessage.ServerSideEmit) decode(of("adapter", "serverSideEmit"))).requestId()).isNull();
        assertThat(((AdapterMessage.ServerSideEmit) decode(of("adapter", "serverSideEmitWithAck"))).requestId()).isNotNull();
        assertThat(((AdapterMessage.FetchSockets) decode(of("adapter", "fetchSockets"))).requestId()).isNotNull();

        AdapterMessage.FetchSocketsResponse sockets = (AdapterMessage.FetchSocketsResponse) decode(of("adapter",
                "fetchSockets response"));
        assertThat(sockets.requestId()).isEqualTo("r-fetch");
        assertThat(((AdapterMessage.ServerSideEmitResponse) decode(of("adapter", "serverSideEmit response"))).value()
                .asText()).isEqualTo("pong to 2");
        assertThat(((AdapterMessage.BroadcastClientCount) decode(of("adapter", "broadcast client count"))).clientCount())
                .isZero();
    }

    @Test
    void theHeartbeatsOfClusterAdapterWithHeartbeatCarryNoData() {
        assertThat(of("adapter", "heartbeat answering another server's initial heartbeat").message().get("type").asInt())
                .isEqualTo(ClusterAdapterMessages.HEARTBEAT);
        assertThat(of("adapter", "adapter close").message().get("type").asInt())
                .isEqualTo(ClusterAdapterMessages.ADAPTER_CLOSE);
        ObjectNode ours = MESSAGES.signal("/", ClusterAdapterMessages.INITIAL_HEARTBEAT);
        assertThat(ours.toString()).isEqualTo("{\"uid\":\"host-a/1.cafe\",\"nsp\":\"/\",\"type\":1}");
    }

    /** Node's postgres emitter 0.1 writes no {@code nsp}: the channel names the namespace (Node's adapter drops them). */
    @Test
    void theEmittersMessagesBelongToTheNamespaceOfTheirChannel() throws Exception {
        for (Captured c : captured) {
            if (c.source().equals("emitter")) {
                assertThat(c.message().has("nsp")).as(c.what()).isFalse();
                assertThat(c.message().get("uid").asText()).isEqualTo(PostgresAdapterLink.EMITTER);
            }
        }
        AdapterMessage.Broadcast emit = (AdapterMessage.Broadcast) decode(of("emitter", "emit"));
        assertThat(emit.namespace()).isEqualTo("/");
        assertThat(args(emit)).containsExactly("from the emitter");
        AdapterMessage.Broadcast chat = (AdapterMessage.Broadcast) decode(of("emitter", "emit in another namespace"));
        assertThat(chat.namespace()).isEqualTo("/chat");
        AdapterMessage.Broadcast bin = (AdapterMessage.Broadcast) decode(of("emitter", "emit with a binary value"));
        assertThat(bin.payload().argTrees(JSON).get(0).binaryValue()).containsExactly(4, 5);
        assertThat(((AdapterMessage.SocketsOperation) decode(of("emitter", "socketsJoin"))).rooms()).containsExactly("vip");
        assertThat(((AdapterMessage.SocketsOperation) decode(of("emitter", "disconnectSockets"))).close()).isTrue();
        assertThat(((AdapterMessage.ServerSideEmit) decode(of("emitter", "serverSideEmit"))).payload().event(JSON))
                .isEqualTo("notify");
    }

    @Test
    void aMessageOfAnotherNamespaceIsNotThisChannels() throws Exception {
        ObjectNode m = (ObjectNode) JSON.mapper().readTree("{\"uid\":\"x\",\"nsp\":\"/other\",\"type\":2}");
        assertThat(NodePostgresFormat.inNamespace("/", m)).isNull();
    }

    static AdapterMessage.Broadcast broadcast(Object... args) {
        return new AdapterMessage.Broadcast(ORIGIN, "/", EventPayload.of("news", args, null),
                new Selection(Set.of("r1"), Set.of("muted")), false, true, false, false, null, 0);
    }

    /** The members of a message Node reads, as it reads them: everything but the sender's own id and ours. */
    static JsonNode shape(JsonNode m) {
        ObjectNode s = m.deepCopy();
        s.remove("uid");
        s.remove("qsio");
        ((ObjectNode) s.path("data").path("packet")).remove("nsp");
        return s;
    }

    @Test
    void whatThisServerWritesHasTheShapeOfWhatNodeWrites() throws Exception {
        ObjectNode ours = MESSAGES.encode(broadcast(java.util.Map.of("a", 1)), false);
        NodePostgresFormat.Notified notified = NodePostgresFormat.encode(MESSAGES.wire(), ours, 8000);
        assertThat(notified).isInstanceOf(NodePostgresFormat.Text.class);
        JsonNode text = JSON.mapper().readTree(((NodePostgresFormat.Text) notified).payload());
        assertThat(shape(text)).isEqualTo(shape(of("adapter", "broadcast to a room except another").message()));
        assertThat(text.get("nsp").asText()).isEqualTo("/");
    }

    @Test
    void binaryValuesAndLargePayloadsGoThroughTheAttachmentsTableAsNodeWritesThem() throws Exception {
        ObjectNode binary = MESSAGES.encode(new AdapterMessage.Broadcast(ORIGIN, "/", EventPayload.of("bin",
                new Object[] { new byte[] { 1, 2, 3 } }, null), new Selection(Set.of(), Set.of()), false, true, false, false,
                null, 0), false);
        NodePostgresFormat.Notified notified = NodePostgresFormat.encode(MESSAGES.wire(), binary, 8000);
        assertThat(notified).isInstanceOf(NodePostgresFormat.Attached.class);
        NodePostgresFormat.Attached attached = (NodePostgresFormat.Attached) notified;
        assertThat(attached.header(JSON.mapper(), 42)).isEqualTo("{\"uid\":\"host-a/1.cafe\",\"type\":3,\"attachmentId\":\"42\"}");
        JsonNode row = MESSAGES.wire().msgpack.readTree(attached.body());
        assertThat(shape(row)).isEqualTo(shape(of("adapter", "broadcast with a binary value").message()));

        // at the threshold, not only over it: PostgreSQL refuses a payload of 8000 bytes
        ObjectNode probe = MESSAGES.encode(broadcast("x"), false);
        int overhead = JSON.mapper().writeValueAsString(probe).length() - 1;
        ObjectNode exactly = MESSAGES.encode(broadcast("x".repeat(8000 - overhead)), false);
        assertThat(JSON.mapper().writeValueAsString(exactly)).hasSize(8000);
        assertThat(NodePostgresFormat.encode(MESSAGES.wire(), exactly, 8000)).isInstanceOf(NodePostgresFormat.Attached.class);
        ObjectNode under = MESSAGES.encode(broadcast("x".repeat(7999 - overhead)), false);
        assertThat(NodePostgresFormat.encode(MESSAGES.wire(), under, 8000)).isInstanceOf(NodePostgresFormat.Text.class);
    }

    @Test
    void aLongChannelNameIsShortenedToAnIdentifier() {
        assertThat(PostgresChannels.channelName("socket.io#/chat")).isEqualTo("socket.io#/chat");
        String longName = "socket.io-bus#" + "a-very-long-host-name-of-a-kubernetes-pod-7d9f8b6c5d-x2k4z/1.cafebabe#";
        String shortened = PostgresChannels.channelName(longName);
        assertThat(shortened.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(63);
        assertThat(shortened).isNotEqualTo(PostgresChannels.channelName(longName.replace("cafebabe", "deadbeef")));
    }
}
