package dev.qsio.runtime.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.BinaryNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.qsio.runtime.clusteradapter.AdapterMessage;
import dev.qsio.runtime.clusteradapter.AdapterMessage.Origin;
import dev.qsio.runtime.clusteradapter.AdapterMessage.Selection;
import dev.qsio.runtime.clusteradapter.ClusterAdapterMessages;
import dev.qsio.runtime.clusteradapter.EventPayload;
import dev.qsio.runtime.protocol.ProtocolJson;

/** The entries of the streams wire say when their message holds binary values, which then go as msgpack. */
class StreamEntriesTest {

    static final ProtocolJson JSON = ProtocolJson.from(new ObjectMapper());
    static final ClusterAdapterMessages MESSAGES = new ClusterAdapterMessages(JSON, "me");

    static AdapterMessage.Broadcast broadcast(Object[] args) {
        return new AdapterMessage.Broadcast(new Origin("me", 2, "host-a"), "/chat", EventPayload.of("news", args,
                JSON.encoder().event("/chat", -1, "news", args)), new Selection(Set.of("r1"), Set.of("muted")), false, true,
                false, false, null, 0);
    }

    @Test
    void binaryValuesGoAsMsgpackAndStreamEntriesSayWhen() throws Exception {
        ObjectNode m = MESSAGES.encode(broadcast(new Object[] { new byte[] { 1, 2 } }), false);
        assertThat(ClusterAdapterMessages.mayContainBinary(m.path("type").asInt())).isTrue();
        assertThat(StreamEntries.hasBinary(m.path("data"))).isTrue();
        assertThat(m.path("data").path("packet").path("data").get(1)).isInstanceOf(BinaryNode.class);
        assertThat(StreamEntries.hasBinary(MESSAGES.encode(broadcast(new Object[] { "t" }), false))).isFalse();
    }
}
