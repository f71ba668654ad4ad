package dev.qsio.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.json.JSONArray;
import org.json.JSONObject;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** What the official client sends and receives, against the Jackson trees tests work with. */
class OrgJsonTest {

    static final ObjectMapper MAPPER = new ObjectMapper();

    record Message(String text, int n, List<String> tags, Map<String, Object> extra) {
    }

    @Test
    void aRecordGoesOutAsJsonAndComesBackTheSame() throws Exception {
        Message m = new Message("hi", 7, List.of("a", "b"), Map.of("nested", Map.of("ok", true), "none", "x"));
        Object sent = OrgJson.toClient(MAPPER.valueToTree(m));
        assertThat(sent).isInstanceOf(JSONObject.class);
        JSONObject object = (JSONObject) sent;
        assertThat(object.get("text")).isEqualTo("hi");
        assertThat(object.get("n")).isEqualTo(7);
        assertThat(object.get("tags")).isInstanceOf(JSONArray.class);
        JsonNode back = OrgJson.toJackson(sent);
        assertThat(MAPPER.treeToValue(back, Message.class)).isEqualTo(m);
    }

    @Test
    void scalarsNullsAndBinary() throws Exception {
        assertThat(OrgJson.toClient(MAPPER.valueToTree("text"))).isEqualTo("text");
        assertThat(OrgJson.toClient(MAPPER.valueToTree(5_000_000_000L))).isEqualTo(5_000_000_000L);
        assertThat(OrgJson.toClient(MAPPER.valueToTree(1.5))).isEqualTo(1.5);
        assertThat(OrgJson.toClient(MAPPER.valueToTree(null))).isSameAs(JSONObject.NULL);
        byte[] bytes = { 1, 2, 3 };
        assertThat(OrgJson.toClient(MAPPER.valueToTree(bytes))).isEqualTo(bytes);
        JsonNode binary = OrgJson.toJackson(bytes);
        assertThat(binary.isBinary()).isTrue();
        assertThat(binary.binaryValue()).containsExactly(1, 2, 3);
        assertThat(OrgJson.toJackson(JSONObject.NULL).isNull()).isTrue();
        assertThat(OrgJson.toJackson(Boolean.TRUE).booleanValue()).isTrue();
        assertThat(OrgJson.toJackson(42).intValue()).isEqualTo(42);
    }

    @Test
    void theUriNamesTheServerAndTheNamespace() {
        assertThat(SocketIoConnector.to("http://localhost:8081/chat").namespace()).isEqualTo("/chat");
        assertThat(SocketIoConnector.to("http://localhost:8081").namespace()).isEqualTo("/");
        assertThat(SocketIoConnector.to("http://localhost:8081/").namespace("/admin").uri().toString())
                .isEqualTo("http://localhost:8081/admin");
        SocketIoConnector base = SocketIoConnector.to("http://localhost:8081/chat");
        assertThat(base.auth(Map.of("token", "t"))).isNotSameAs(base);
        assertThat(base.baseUri(java.net.URI.create("http://127.0.0.1:9/")).uri().toString())
                .isEqualTo("http://127.0.0.1:9/chat");
    }
}
