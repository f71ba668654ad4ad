package dev.qsio.runtime.clusteradapter;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.BinaryNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

import dev.qsio.runtime.clusteradapter.AdapterMessage.Origin;
import dev.qsio.runtime.clusteradapter.AdapterMessage.Selection;
import dev.qsio.runtime.protocol.ProtocolJson;

/**
 * Node's {@code ClusterAdapter} messages, which the sharded and streams wires carry: what this server writes is what
 * Node's adapter reads ({@code {uid, nsp, type, data}} with Node's numbers and shapes), and a message as Node writes it
 * is read back (the JSON below is what socket.io-adapter 2.5 publishes).
 */
class ClusterAdapterMessagesTest {

    static final ProtocolJson JSON = ProtocolJson.from(new ObjectMapper());
    static final ClusterAdapterMessages MESSAGES = new ClusterAdapterMessages(JSON, "me");
    static final Origin ORIGIN = new Origin("me", 2, "host-a");

    static AdapterMessage.Broadcast broadcast(Object[] args, boolean withOffset, String requestId) {
        return new AdapterMessage.Broadcast(ORIGIN, "/chat", EventPayload.of("news", args,
                JSON.encoder().event("/chat", -1, "news", args)), new Selection(Set.of("r1"), Set.of("muted")), false, true,
                withOffset, false, requestId, requestId == null ? 0 : 5000);
    }

    @Test
    void aBroadcastIsWrittenAsNodeReadsIt() throws Exception {
        ObjectNode m = MESSAGES.encode(broadcast(new Object[] { "hello", 42 }, false, null), false);
        assertThat(m.path("uid").asText()).isEqualTo("me");
        assertThat(m.path("nsp").asText()).isEqualTo("/chat");
        assertThat(m.path("type").asInt()).isEqualTo(ClusterAdapterMessages.BROADCAST);
        JsonNode packet = m.path("data").path("packet");
        assertThat(packet.toString()).isEqualTo("{\"type\":2,\"data\":[\"news\",\"hello\",42],\"nsp\":\"/chat\"}");
        assertThat(m.path("data").path("opts").path("rooms").toString()).isEqualTo("[\"r1\"]");
        assertThat(m.path("data").path("opts").path("except").toString()).isEqualTo("[\"muted\"]");
        assertThat(m.path("data").has("requestId")).isFalse();
        assertThat(m.path("qsio").path("node").asText()).isEqualTo("host-a");
    }

    @Test
    void anOffsetGivenByTheWireIsLeftOutAndAddedBackAtTheEntrysId() throws Exception {
        ObjectNode m = MESSAGES.encode(broadcast(new Object[] { "hello", "placeholder-offset" }, true, null), true);
        assertThat(m.path("data").path("packet").path("data").toString()).isEqualTo("[\"news\",\"hello\"]");
        assertThat(m.path("qsio").has("offset")).as("the offset is the wire's, not an argument").isFalse();
        AdapterMessage.Broadcast read = (AdapterMessage.Broadcast) MESSAGES.decode(m, "1700000000000-3");
        assertThat(read.withOffset()).isTrue();
        assertThat(read.payload().argTrees(JSON)).extracting(JsonNode::asText).containsExactly("hello", "1700000000000-3");
    }

    @Test
    void aBroadcastWithAcknowledgementsCarriesItsRequestAndTimeoutAndNoOffset() throws Exception {
        ObjectNode m = MESSAGES.encode(broadcast(new Object[] { "q" }, false, "me:7"), false);
        assertThat(m.path("data").path("requestId").asText()).isEqualTo("me:7");
        assertThat(m.path("data").path("opts").path("flags").path("timeout").asLong()).isEqualTo(5000);
        AdapterMessage.Broadcast read = (AdapterMessage.Broadcast) MESSAGES.decode(m, "1-1");
        assertThat(read.withOffset()).isFalse();
        assertThat(read.requestId()).isEqualTo("me:7");
        assertThat(read.timeoutMs()).isEqualTo(5000);
    }

    @Test
    void nodesMessagesAreRead() throws Exception {
        ObjectMapper mapper = JSON.mapper();
        AdapterMessage join = MESSAGES.decode(mapper.readTree("{\"uid\":\"a1b2c3\",\"nsp\":\"/\",\"type\":4,"
                + "\"data\":{\"opts\":{\"rooms\":[\"r\"],\"except\":[]},\"rooms\":[\"vip\"]}}"), null);
        assertThat(join).isInstanceOf(AdapterMessage.SocketsOperation.class);
        AdapterMessage.SocketsOperation op = (AdapterMessage.SocketsOperation) join;
        assertThat(op.operation()).isEqualTo(AdapterMessage.Operation.JOIN);
        assertThat(op.rooms()).containsExactly("vip");
        assertThat(op.origin().node()).as("a Node server is its own node").isEqualTo("a1b2c3");
        AdapterMessage emit = MESSAGES.decode(mapper.readTree("{\"uid\":\"a1b2c3\",\"nsp\":\"/\",\"type\":9,"
                + "\"data\":{\"requestId\":\"f00d\",\"packet\":[\"ping\",99]}}"), null);
        assertThat(((AdapterMessage.ServerSideEmit) emit).requestId()).isEqualTo("f00d");
        AdapterMessage count = MESSAGES.decode(mapper.readTree("{\"uid\":\"a1b2c3\",\"nsp\":\"/\",\"type\":11,"
                + "\"data\":{\"requestId\":\"me:3\",\"clientCount\":4}}"), null);
        assertThat(((AdapterMessage.BroadcastClientCount) count).clientCount()).isEqualTo(4);
        assertThat(MESSAGES.decode(mapper.readTree("{\"uid\":\"x\",\"nsp\":\"/\",\"type\":1}"), null))
                .as("a heartbeat, which this wire does not use").isNull();
    }

    @Test
    void anAcknowledgementOfABroadcastGivesNodeItsFirstArgumentAndQuarkusEveryOne() throws Exception {
        ObjectMapper mapper = JSON.mapper();
        BinaryNode binary = BinaryNode.valueOf(new byte[] { 7, 7 });
        ObjectNode m = MESSAGES.encodeResponse(new AdapterMessage.BroadcastAck("/chat", "other:4",
                List.of(TextNode.valueOf("a"), IntNode.valueOf(2), binary)));
        assertThat(m.path("type").asInt()).isEqualTo(ClusterAdapterMessages.BROADCAST_ACK);
        // what Node's ClusterAdapter reads: data.requestId and data.packet, the first argument
        assertThat(m.path("data").path("requestId").asText()).isEqualTo("other:4");
        assertThat(m.path("data").path("packet").asText()).isEqualTo("a");
        AdapterMessage.BroadcastAck read = (AdapterMessage.BroadcastAck) MESSAGES.decode(m, null);
        assertThat(read.values()).containsExactly(TextNode.valueOf("a"), IntNode.valueOf(2), binary);

        ObjectNode one = MESSAGES.encodeResponse(new AdapterMessage.BroadcastAck("/chat", "other:5",
                List.of(TextNode.valueOf("only"))));
        assertThat(one.has("qsio")).as("one argument: nothing beside Node's packet").isFalse();
        assertThat(((AdapterMessage.BroadcastAck) MESSAGES.decode(one, null)).values()).containsExactly(
                TextNode.valueOf("only"));
        AdapterMessage.BroadcastAck none = (AdapterMessage.BroadcastAck) MESSAGES.decode(MESSAGES.encodeResponse(
                new AdapterMessage.BroadcastAck("/chat", "other:6", List.of())), null);
        assertThat(none.values()).isEmpty();

        // as a Node server answers: its one argument, or none
        AdapterMessage fromNode = MESSAGES.decode(mapper.readTree("{\"uid\":\"a1b2c3\",\"nsp\":\"/\",\"type\":12,"
                + "\"data\":{\"requestId\":\"me:3\",\"packet\":{\"ok\":true}}}"), null);
        assertThat(((AdapterMessage.BroadcastAck) fromNode).values()).containsExactly(mapper.readTree("{\"ok\":true}"));
        AdapterMessage emptyFromNode = MESSAGES.decode(mapper.readTree("{\"uid\":\"a1b2c3\",\"nsp\":\"/\","
                + "\"type\":12,\"data\":{\"requestId\":\"me:3\"}}"), null);
        assertThat(((AdapterMessage.BroadcastAck) emptyFromNode).values()).isEmpty();
    }

    @Test
    void theSendersTraceContextTravelsInTheMemberNodeIgnoresAndComesBackOnEveryRequest() throws Exception {
        Origin traced = ORIGIN.traced(Map.of("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
                "tracestate", "vendor=x"));
        Selection selection = new Selection(Set.of("r1"), Set.of());
        List<AdapterMessage> requests = List.of(
                new AdapterMessage.Broadcast(traced, "/chat", EventPayload.of("news", new Object[] { 1 }, null), selection,
                        false, true, false, false, null, 0),
                new AdapterMessage.Broadcast(traced, "/chat", EventPayload.of("news", new Object[] { 1 }, null), selection,
                        false, true, false, false, "me:9", 5000),
                new AdapterMessage.FetchSockets(traced, "/chat", "me:1", selection),
                new AdapterMessage.ServerSideEmit(traced, "/chat", "me:2", EventPayload.of("e", new Object[] { 1 }, null)),
                new AdapterMessage.SocketsOperation(traced, "/chat", AdapterMessage.Operation.JOIN, selection, Set.of("b"),
                        false));
        for (AdapterMessage request : requests) {
            ObjectNode m = MESSAGES.encode(request, false);
            assertThat(m.path("qsio").path("trace").path("traceparent").asText())
                    .startsWith("00-0af7651916cd43dd8448eb211c80319c");
            // Node's ClusterAdapter reads uid, nsp, type and data: the context is beside them
            assertThat(m.path("data").has("trace")).isFalse();
            AdapterMessage read = new ClusterAdapterMessages(JSON, "other").decode(m, null);
            assertThat(read).as("%s read back", request.getClass().getSimpleName()).isNotNull();
            Origin origin = read instanceof AdapterMessage.Broadcast b ? b.origin()
                    : read instanceof AdapterMessage.FetchSockets f ? f.origin()
                    : read instanceof AdapterMessage.ServerSideEmit e ? e.origin()
                    : ((AdapterMessage.SocketsOperation) read).origin();
            assertThat(origin.trace()).isEqualTo(traced.trace());
        }
        ObjectNode untraced = MESSAGES.encode(broadcast(new Object[] { "t" }, false, null), false);
        assertThat(untraced.path("qsio").has("trace")).as("nothing is added without a context").isFalse();
        assertThat(MESSAGES.decode(untraced, null)).extracting(m -> ((AdapterMessage.Broadcast) m).origin().trace())
                .isEqualTo(Map.of());
    }
}
