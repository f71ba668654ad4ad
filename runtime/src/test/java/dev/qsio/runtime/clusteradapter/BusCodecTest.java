package dev.qsio.runtime.clusteradapter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
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
import dev.qsio.runtime.protocol.Encoded;
import dev.qsio.runtime.protocol.ProtocolJson;
import io.vertx.core.buffer.Buffer;

/** The cluster adapter's messages on the bus between workers: each survives the trip unchanged. */
class BusCodecTest {

    static final ProtocolJson JSON = ProtocolJson.from(new ObjectMapper());
    static final BusCodec CODEC = new BusCodec(JSON);
    static final Origin ORIGIN = new Origin("host/3", 2, "host");
    static final Selection SELECTION = new Selection(Set.of("r1", "r2"), Set.of("muted"));

    static AdapterMessage roundTrip(AdapterMessage m) throws IOException {
        return CODEC.decode(CODEC.encode(m));
    }

    @Test
    void aBroadcastKeepsItsEncodedPacketAndBinaryAttachments() throws Exception {
        Object[] args = { "text", new byte[] { 1, 2, 3 } };
        Encoded packet = JSON.encoder().event("/chat", -1, "news", args);
        AdapterMessage.Broadcast sent = new AdapterMessage.Broadcast(ORIGIN, "/chat", EventPayload.of("news", args, packet),
                SELECTION, true, false, true, true, "host/3:7", 5000);
        AdapterMessage.Broadcast got = (AdapterMessage.Broadcast) roundTrip(sent);
        assertThat(got.origin()).isEqualTo(ORIGIN);
        assertThat(got.namespace()).isEqualTo("/chat");
        assertThat(got.selection()).isEqualTo(SELECTION);
        assertThat(got.volatileFlag()).isTrue();
        assertThat(got.compress()).as("compress(false) crosses the bus").isFalse();
        assertThat(got.withOffset()).isTrue();
        assertThat(got.direct()).isTrue();
        assertThat(got.requestId()).isEqualTo("host/3:7");
        assertThat(got.timeoutMs()).isEqualTo(5000);
        Encoded received = got.payload().encoded(JSON, "/chat");
        assertThat(received.text()).isEqualTo(packet.text());
        assertThat(received.attachments()).extracting(Buffer::getBytes).containsExactly(new byte[] { 1, 2, 3 });
        // the receiver decodes the event only when something needs it
        assertThat(got.payload().event(JSON)).isEqualTo("news");
        assertThat(got.payload().argTrees(JSON)).element(1).isInstanceOf(BinaryNode.class);
    }

    @Test
    void aBroadcastWithoutRequestHasNone() throws Exception {
        Encoded packet = JSON.encoder().event("/", -1, "e", new Object[0]);
        AdapterMessage.Broadcast got = (AdapterMessage.Broadcast) roundTrip(new AdapterMessage.Broadcast(ORIGIN, "/",
                EventPayload.of("e", new Object[0], packet), new Selection(Set.of(), Set.of()), false, true, false, false, null, 0));
        assertThat(got.requestId()).isNull();
        assertThat(got.selection().rooms()).isEmpty();
        assertThat(got.direct()).isFalse();
        assertThat(got.compress()).isTrue();
    }

    @Test
    void requestsAndResponsesRoundTrip() throws Exception {
        assertThat(roundTrip(new AdapterMessage.SocketsOperation(ORIGIN, "/", AdapterMessage.Operation.LEAVE, SELECTION,
                Set.of("a", "b"), true))).isEqualTo(new AdapterMessage.SocketsOperation(ORIGIN, "/",
                        AdapterMessage.Operation.LEAVE, SELECTION, Set.of("a", "b"), true));
        assertThat(roundTrip(new AdapterMessage.FetchSockets(ORIGIN, "/x", "id:1", SELECTION)))
                .isEqualTo(new AdapterMessage.FetchSockets(ORIGIN, "/x", "id:1", SELECTION));
        assertThat(roundTrip(new AdapterMessage.BroadcastClientCount("/", "id:2", 12)))
                .isEqualTo(new AdapterMessage.BroadcastClientCount("/", "id:2", 12));

        ObjectNode socket = JSON.mapper().createObjectNode().put("id", "s1");
        socket.putArray("rooms").add("s1").add("r");
        AdapterMessage.FetchSocketsResponse response = (AdapterMessage.FetchSocketsResponse) roundTrip(
                new AdapterMessage.FetchSocketsResponse("/", "id:3", List.of(socket)));
        assertThat(response.sockets()).containsExactly(socket);

        JsonNode binary = BinaryNode.valueOf(new byte[] { 9, 8 });
        assertThat(((AdapterMessage.BroadcastAck) roundTrip(new AdapterMessage.BroadcastAck("/", "id:4",
                List.of(binary)))).first().binaryValue()).containsExactly(9, 8);
        AdapterMessage.BroadcastAck several = (AdapterMessage.BroadcastAck) roundTrip(new AdapterMessage.BroadcastAck("/",
                "id:6", List.of(TextNode.valueOf("a"), IntNode.valueOf(2), binary)));
        assertThat(several.values()).hasSize(3);
        assertThat(several.values().get(0).asText()).isEqualTo("a");
        assertThat(several.values().get(1).asInt()).isEqualTo(2);
        assertThat(several.values().get(2).binaryValue()).containsExactly(9, 8);
        assertThat(((AdapterMessage.BroadcastAck) roundTrip(new AdapterMessage.BroadcastAck("/", "id:7", List.of())))
                .values()).as("an acknowledgement without arguments").isEmpty();
        assertThat(((AdapterMessage.ServerSideEmitResponse) roundTrip(new AdapterMessage.ServerSideEmitResponse("/",
                "id:5", null))).value().isNull()).isTrue();

        AdapterMessage.ServerSideEmit emit = (AdapterMessage.ServerSideEmit) roundTrip(new AdapterMessage.ServerSideEmit(
                ORIGIN, "/", null, EventPayload.of("ping", new Object[] { 1, "two" }, null)));
        assertThat(emit.requestId()).isNull();
        assertThat(emit.payload().event(JSON)).isEqualTo("ping");
        assertThat(emit.payload().argTrees(JSON)).extracting(JsonNode::asText).containsExactly("1", "two");
    }

    @Test
    void garbageIsRefusedWithAnIoException() {
        assertThatThrownBy(() -> CODEC.decode(Buffer.buffer(new byte[] { 0x7f }))).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> CODEC.decode(Buffer.buffer(new byte[] { 0x00, (byte) 0xc1 })))
                .isInstanceOf(IOException.class);
        assertThatThrownBy(() -> CODEC.decode(Buffer.buffer())).isInstanceOf(IOException.class);
    }

    @Test
    void aFrameThatDeclaresMoreThanItCarriesIsRefusedBeforeAllocating() {
        // a FETCH_SOCKETS_RESPONSE whose socket list declares 2^31-1 entries, then a bin32 of 2 GB: both used to be
        // allocated as declared
        byte[] count = { 0x04, (byte) 0xa1, 0x2f, (byte) 0xa1, 0x72, (byte) 0xdd, 0x7f, (byte) 0xff, (byte) 0xff,
                (byte) 0xff, 0x01 };
        byte[] binary = { 0x04, (byte) 0xa1, 0x2f, (byte) 0xa1, 0x72, (byte) 0x91, (byte) 0xc6, 0x7f, (byte) 0xff,
                (byte) 0xff, (byte) 0xff, 0x01 };
        assertThatThrownBy(() -> CODEC.decode(Buffer.buffer(count))).isInstanceOf(IOException.class)
                .hasMessageContaining("declared");
        assertThatThrownBy(() -> CODEC.decode(Buffer.buffer(binary))).isInstanceOf(IOException.class)
                .hasMessageContaining("declared");
    }

    @Test
    void theSendersTraceContextCrossesTheBus() throws Exception {
        Origin traced = ORIGIN.traced(Map.of("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"));
        Encoded packet = JSON.encoder().event("/", -1, "e", new Object[0]);
        AdapterMessage.Broadcast got = (AdapterMessage.Broadcast) roundTrip(new AdapterMessage.Broadcast(traced, "/",
                EventPayload.of("e", new Object[0], packet), SELECTION, false, true, false, false, null, 0));
        assertThat(got.origin()).isEqualTo(traced);
        assertThat(roundTrip(new AdapterMessage.FetchSockets(traced, "/x", "id:1", SELECTION)))
                .isEqualTo(new AdapterMessage.FetchSockets(traced, "/x", "id:1", SELECTION));
        assertThat(ORIGIN.traced(Map.of())).as("no context, no new origin").isSameAs(ORIGIN);
    }
}
