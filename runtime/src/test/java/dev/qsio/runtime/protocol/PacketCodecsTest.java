package dev.qsio.runtime.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BinaryNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.qsio.runtime.engine.EnginePacket;
import dev.qsio.runtime.engine.EnginePacketType;
import io.vertx.core.buffer.Buffer;

/** Socket.IO v5 packet encoding and decoding (socketio/socket.io-protocol, "Packet encoding"). */
class PacketCodecsTest {

    private static final ProtocolJson PROTOCOL = ProtocolJson.from(new ObjectMapper());
    private static final ObjectMapper MAPPER = PROTOCOL.mapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final int MAX_ATTACHMENTS = 64;
    private static final long MAX_SAFE_INTEGER = 9007199254740991L;

    private final PacketEncoder encoder = PROTOCOL.encoder();

    private static PacketDecoder decoder() {
        return PROTOCOL.decoder(MAX_ATTACHMENTS);
    }

    private static String ph(int n) {
        return "{\"_placeholder\":true,\"num\":" + n + "}";
    }

    private static byte[] b(int... values) {
        byte[] bytes = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            bytes[i] = (byte) values[i];
        }
        return bytes;
    }

    private static JsonNode json(String text) {
        try {
            return MAPPER.readTree(text);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static ArrayNode array(Object... items) {
        ArrayNode a = NODES.arrayNode();
        for (Object item : items) {
            a.add(node(item));
        }
        return a;
    }

    private static JsonNode node(Object item) {
        if (item instanceof JsonNode n) {
            return n;
        }
        if (item instanceof byte[] bytes) {
            return BinaryNode.valueOf(bytes);
        }
        if (item instanceof String s) {
            return NODES.textNode(s);
        }
        if (item instanceof Integer i) {
            return NODES.numberNode(i);
        }
        throw new IllegalArgumentException(String.valueOf(item));
    }

    /** A POJO argument carrying binary fields. */
    @JsonPropertyOrder({ "name", "data", "extra" })
    public static final class Upload {
        public String name = "f.bin";
        public byte[] data = b(1, 2);
        public Buffer extra = Buffer.buffer(b(3));
    }

    @FunctionalInterface
    interface Encode {
        Encoded apply(PacketEncoder encoder);
    }

    @Test
    void packetKindCodesMatchTheSpec() {
        assertThat(PacketKind.values()).extracting(PacketKind::code)
                .containsExactly('0', '1', '2', '3', '4', '5', '6');
        assertThat(PacketKind.values()).filteredOn(PacketKind::binary)
                .containsExactly(PacketKind.BINARY_EVENT, PacketKind.BINARY_ACK);
        for (PacketKind k : PacketKind.values()) {
            assertThat(PacketKind.of(k.code())).isSameAs(k);
        }
        assertThat(PacketKind.of('7')).isNull();
        assertThat(PacketKind.of('/')).isNull();
    }

    // ================================================================ encoder

    static Stream<Arguments> encoded() {
        ObjectNode sid = NODES.objectNode().put("sid", "oSO0OpakMV_3jnilAAAA");
        Map<String, Object> reason = new LinkedHashMap<>();
        reason.put("reason", "expired");
        reason.put("retry", 3);
        List<Object> mixed = new ArrayList<>();
        mixed.add(null);
        return Stream.of(
                // CONNECT (server answer)
                arguments("connect /", (Encode) e -> e.connect("/", sid),
                        "0{\"sid\":\"oSO0OpakMV_3jnilAAAA\"}", List.of()),
                arguments("connect /admin", (Encode) e -> e.connect("/admin", sid),
                        "0/admin,{\"sid\":\"oSO0OpakMV_3jnilAAAA\"}", List.of()),
                arguments("connect with extra fields", (Encode) e -> e.connect("/", NODES.objectNode().put("sid", "a")
                        .put("pid", "b")), "0{\"sid\":\"a\",\"pid\":\"b\"}", List.of()),
                // DISCONNECT
                arguments("disconnect /", (Encode) e -> e.disconnect("/"), "1", List.of()),
                arguments("disconnect /admin", (Encode) e -> e.disconnect("/admin"), "1/admin,", List.of()),
                // EVENT
                arguments("event", (Encode) e -> e.event("/", -1, "hello", new Object[] { 1 }),
                        "2[\"hello\",1]", List.of()),
                arguments("event with ack id", (Encode) e -> e.event("/", 13, "hello", new Object[] { 1 }),
                        "213[\"hello\",1]", List.of()),
                arguments("event /admin with ack id", (Encode) e -> e.event("/admin", 13, "hello", new Object[] { 1 }),
                        "2/admin,13[\"hello\",1]", List.of()),
                arguments("event /admin", (Encode) e -> e.event("/admin", -1, "hello", new Object[] { 1 }),
                        "2/admin,[\"hello\",1]", List.of()),
                arguments("event with ack id 0", (Encode) e -> e.event("/", 0, "hello", new Object[0]),
                        "20[\"hello\"]", List.of()),
                arguments("event with the largest ack id",
                        (Encode) e -> e.event("/", MAX_SAFE_INTEGER, "hello", new Object[0]),
                        "29007199254740991[\"hello\"]", List.of()),
                arguments("event without arguments", (Encode) e -> e.event("/", -1, "ping", new Object[0]),
                        "2[\"ping\"]", List.of()),
                arguments("event with mixed arguments",
                        (Encode) e -> e.event("/", -1, "e", new Object[] { "s", 1.5, true, null, reason, List.of(1, 2),
                                mixed }),
                        "2[\"e\",\"s\",1.5,true,null,{\"reason\":\"expired\",\"retry\":3},[1,2],[null]]", List.of()),
                arguments("event with a text that needs escaping",
                        (Encode) e -> e.event("/", -1, "q\"uote", new Object[] { "back\\slash\nnew\u0001line" }),
                        "2[\"q\\\"uote\",\"back\\\\slash\\nnew\\u0001line\"]", List.of()),
                arguments("event with utf-8 and emoji",
                        (Encode) e -> e.event("/ñs", 5, "héllo", new Object[] { "😀 ünïcödé 日本" }),
                        "2/ñs,5[\"héllo\",\"😀 ünïcödé 日本\"]", List.of()),
                // ACK
                arguments("ack", (Encode) e -> e.ack("/", 13, new Object[] { "ok" }), "313[\"ok\"]", List.of()),
                arguments("ack /admin without arguments", (Encode) e -> e.ack("/admin", 7, new Object[0]),
                        "3/admin,7[]", List.of()),
                arguments("ack with several arguments", (Encode) e -> e.ack("/", 0, new Object[] { null, 1, "x" }),
                        "30[null,1,\"x\"]", List.of()),
                // CONNECT_ERROR
                arguments("connect error", (Encode) e -> e.connectError("/", "Not authorized", null),
                        "4{\"message\":\"Not authorized\"}", List.of()),
                arguments("connect error with data", (Encode) e -> e.connectError("/admin", "Not authorized", reason),
                        "4/admin,{\"message\":\"Not authorized\",\"data\":{\"reason\":\"expired\",\"retry\":3}}",
                        List.of()),
                arguments("connect error with text data", (Encode) e -> e.connectError("/", "m", "details"),
                        "4{\"message\":\"m\",\"data\":\"details\"}", List.of()),
                // BINARY_EVENT
                arguments("byte[] argument", (Encode) e -> e.event("/", -1, "up", new Object[] { b(1, 2, 3) }),
                        "51-[\"up\"," + ph(0) + "]", List.of(b(1, 2, 3))),
                arguments("Buffer argument",
                        (Encode) e -> e.event("/", -1, "up", new Object[] { Buffer.buffer(b(1, 2, 3)) }),
                        "51-[\"up\"," + ph(0) + "]", List.of(b(1, 2, 3))),
                arguments("ByteBuffer argument",
                        (Encode) e -> e.event("/", -1, "up", new Object[] { ByteBuffer.wrap(b(0, 1, 2, 3), 1, 2) }),
                        "51-[\"up\"," + ph(0) + "]", List.of(b(1, 2))),
                arguments("empty byte[]", (Encode) e -> e.event("/", -1, "up", new Object[] { new byte[0] }),
                        "51-[\"up\"," + ph(0) + "]", List.of(new byte[0])),
                arguments("several binary arguments in order",
                        (Encode) e -> e.event("/", -1, "e", new Object[] { b(1), "x", Buffer.buffer(b(2)), b(3) }),
                        "53-[\"e\"," + ph(0) + ",\"x\"," + ph(1) + "," + ph(2) + "]", List.of(b(1), b(2), b(3))),
                arguments("binary nested in a map", (Encode) e -> e.event("/", -1, "e", new Object[] { nestedMap() }),
                        "52-[\"e\",{\"a\":" + ph(0) + ",\"b\":{\"c\":" + ph(1) + "},\"d\":\"s\"}]",
                        List.of(b(1), b(2))),
                arguments("binary in a list", (Encode) e -> e.event("/", -1, "e",
                        new Object[] { List.of(b(1), List.of(Buffer.buffer(b(2)))) }),
                        "52-[\"e\",[" + ph(0) + ",[" + ph(1) + "]]]", List.of(b(1), b(2))),
                arguments("binary in a POJO", (Encode) e -> e.event("/", -1, "e", new Object[] { new Upload() }),
                        "52-[\"e\",{\"name\":\"f.bin\",\"data\":" + ph(0) + ",\"extra\":" + ph(1) + "}]",
                        List.of(b(1, 2), b(3))),
                arguments("BinaryNode in a Jackson tree", (Encode) e -> e.event("/", -1, "e",
                        new Object[] { array(b(1), NODES.objectNode().put("k", b(2)).put("s", "x")) }),
                        "52-[\"e\",[" + ph(0) + ",{\"k\":" + ph(1) + ",\"s\":\"x\"}]]", List.of(b(1), b(2))),
                arguments("binary event /admin with ack id",
                        (Encode) e -> e.event("/admin", 13, "e", new Object[] { b(1) }),
                        "51-/admin,13[\"e\"," + ph(0) + "]", List.of(b(1))),
                arguments("eleven attachments", (Encode) e -> e.event("/", -1, "e", elevenBinaries()),
                        "511-[\"e\"" + placeholders(11) + "]", elevenAttachments()),
                // BINARY_ACK
                arguments("binary ack", (Encode) e -> e.ack("/", 13, new Object[] { b(9) }),
                        "61-13[" + ph(0) + "]", List.of(b(9))),
                arguments("binary ack /admin", (Encode) e -> e.ack("/admin", 13, new Object[] { "x", Buffer.buffer(b(8)),
                        b(7) }), "62-/admin,13[\"x\"," + ph(0) + "," + ph(1) + "]", List.of(b(8), b(7))));
    }

    private static Map<String, Object> nestedMap() {
        Map<String, Object> inner = new LinkedHashMap<>();
        inner.put("c", Buffer.buffer(b(2)));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("a", b(1));
        m.put("b", inner);
        m.put("d", "s");
        return m;
    }

    private static Object[] elevenBinaries() {
        Object[] args = new Object[11];
        for (int i = 0; i < args.length; i++) {
            args[i] = b(i);
        }
        return args;
    }

    private static List<byte[]> elevenAttachments() {
        List<byte[]> list = new ArrayList<>();
        for (int i = 0; i < 11; i++) {
            list.add(b(i));
        }
        return list;
    }

    private static String placeholders(int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append(',').append(ph(i));
        }
        return sb.toString();
    }

    @ParameterizedTest(name = "[{index}] {0} -> {2}")
    @MethodSource("encoded")
    void encodes(String name, Encode encode, String text, List<byte[]> attachments) {
        Encoded encoded = encode.apply(encoder);

        assertThat(encoded.text()).isEqualTo(text);
        assertThat(encoded.single()).isEqualTo(attachments.isEmpty());
        List<EnginePacket> messages = encoded.messages();
        assertThat(messages).hasSize(1 + attachments.size());

        // the header: an Engine.IO text message "4" + text
        EnginePacket header = messages.get(0);
        assertThat(header.type()).isEqualTo(EnginePacketType.MESSAGE);
        assertThat(header.isBinary()).isFalse();
        assertThat(header.segment()).isEqualTo("4" + text);
        assertThat(header.frame().getBytes()).containsExactly(("4" + text).getBytes(StandardCharsets.UTF_8));

        // the attachments: raw binary messages, in placeholder order
        for (int i = 0; i < attachments.size(); i++) {
            EnginePacket m = messages.get(1 + i);
            assertThat(m.type()).isEqualTo(EnginePacketType.MESSAGE);
            assertThat(m.isBinary()).as("attachment %d is binary", i).isTrue();
            assertThat(m.binary().getBytes()).as("attachment %d", i).containsExactly(attachments.get(i));
            assertThat(m.frame().getBytes()).as("attachment %d frame", i).containsExactly(attachments.get(i));
        }
    }

    @Test
    void connectErrorDataWithBinaryStaysAPlainConnectError() {
        // only EVENT and ACK have binary variants: binary data in a CONNECT_ERROR cannot become attachments
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("bytes", b(1, 2));
        data.put("buffer", Buffer.buffer(b(3)));
        Encoded encoded = encoder.connectError("/", "refused", data);
        assertThat(encoded.single()).isTrue();
        assertThat(encoded.text()).isEqualTo("4{\"message\":\"refused\",\"data\":{\"bytes\":\"AQI=\",\"buffer\":\"Aw==\"}}");
    }

    @Test
    void connectDataWithBinaryStaysAPlainConnect() {
        Encoded encoded = encoder.connect("/", NODES.objectNode().put("sid", "a").put("b", b(1)));
        assertThat(encoded.single()).isTrue();
        assertThat(encoded.text()).isEqualTo("0{\"sid\":\"a\",\"b\":\"AQ==\"}");
    }

    @Test
    void theConnectAnswerIsWrittenAsTheGeneralEncoderWouldWriteIt() throws Exception {
        assertThat(encoder.connected("/", "AbC-_0123456789abcde", null).text())
                .isEqualTo(encoder.connect("/", NODES.objectNode().put("sid", "AbC-_0123456789abcde")).text())
                .isEqualTo("0{\"sid\":\"AbC-_0123456789abcde\"}");
        assertThat(encoder.connected("/admin", "s", "p\"1").text())
                .isEqualTo(encoder.connect("/admin", NODES.objectNode().put("sid", "s").put("pid", "p\"1")).text())
                .isEqualTo("0/admin,{\"sid\":\"s\",\"pid\":\"p\\\"1\"}");
        Packet p = decoder().onText(encoder.connected("/admin", "s", "p").text());
        assertThat(p.kind()).isEqualTo(PacketKind.CONNECT);
        assertThat(p.namespace()).isEqualTo("/admin");
        assertThat(p.data().get("pid").asText()).isEqualTo("p");
    }

    @Test
    void encodingDoesNotAlterItsArguments() {
        ArrayNode tree = array(b(1), "x");
        encoder.event("/", -1, "e", new Object[] { tree });
        assertThat(tree).isEqualTo(array(b(1), "x"));
        assertThat(tree.get(0).isBinary()).isTrue();
    }

    // ================================================================ decoder: valid packets

    static Stream<Arguments> decodedText() {
        String maxId = Long.toString(MAX_SAFE_INTEGER);
        return Stream.of(
                arguments("0", PacketKind.CONNECT, "/", -1L, null),
                arguments("0{}", PacketKind.CONNECT, "/", -1L, "{}"),
                arguments("0{\"token\":\"abc\"}", PacketKind.CONNECT, "/", -1L, "{\"token\":\"abc\"}"),
                arguments("0/admin,{\"token\":\"abc\"}", PacketKind.CONNECT, "/admin", -1L, "{\"token\":\"abc\"}"),
                arguments("0/admin,", PacketKind.CONNECT, "/admin", -1L, null),
                arguments("0/admin", PacketKind.CONNECT, "/admin", -1L, null),
                arguments("1", PacketKind.DISCONNECT, "/", -1L, null),
                arguments("1/admin,", PacketKind.DISCONNECT, "/admin", -1L, null),
                arguments("2[\"hello\",1]", PacketKind.EVENT, "/", -1L, "[\"hello\",1]"),
                arguments("213[\"hello\",1]", PacketKind.EVENT, "/", 13L, "[\"hello\",1]"),
                arguments("2/admin,13[\"hello\",1]", PacketKind.EVENT, "/admin", 13L, "[\"hello\",1]"),
                arguments("2/admin,[\"hello\"]", PacketKind.EVENT, "/admin", -1L, "[\"hello\"]"),
                arguments("20[\"x\"]", PacketKind.EVENT, "/", 0L, "[\"x\"]"),
                arguments("2" + maxId + "[\"x\"]", PacketKind.EVENT, "/", MAX_SAFE_INTEGER, "[\"x\"]"),
                arguments("2[ \"a\" , {\"b\" : [1, 2.5, null, true]} ]", PacketKind.EVENT, "/", -1L,
                        "[\"a\",{\"b\":[1,2.5,null,true]}]"),
                arguments("2/ñs,5[\"héllo\",\"😀 ünïcödé 日本\"]", PacketKind.EVENT, "/ñs", 5L,
                        "[\"héllo\",\"😀 ünïcödé 日本\"]"),
                arguments("2[\"connected\"]", PacketKind.EVENT, "/", -1L, "[\"connected\"]"),
                arguments("2[\"Connect\"]", PacketKind.EVENT, "/", -1L, "[\"Connect\"]"),
                // numbers as event names become text
                arguments("2[42,\"x\"]", PacketKind.EVENT, "/", -1L, "[\"42\",\"x\"]"),
                arguments("27[-7]", PacketKind.EVENT, "/", 7L, "[\"-7\"]"),
                arguments("2[1.5]", PacketKind.EVENT, "/", -1L, "[\"1.5\"]"),
                // a placeholder in a plain EVENT is just an object
                arguments("2[\"x\"," + ph(0) + "]", PacketKind.EVENT, "/", -1L, "[\"x\"," + ph(0) + "]"),
                // a BINARY_EVENT without attachments needs no binary message
                arguments("50-[\"x\"]", PacketKind.EVENT, "/", -1L, "[\"x\"]"),
                arguments("3[]", PacketKind.ACK, "/", -1L, "[]"),
                arguments("313[\"ok\"]", PacketKind.ACK, "/", 13L, "[\"ok\"]"),
                arguments("3/admin,7[null,{\"a\":1}]", PacketKind.ACK, "/admin", 7L, "[null,{\"a\":1}]"),
                arguments("60-5[1]", PacketKind.ACK, "/", 5L, "[1]"));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("decodedText")
    void decodesTextPackets(String text, PacketKind kind, String namespace, long id, String data) throws Exception {
        Packet p = decoder().onText(text);
        assertThat(p).isNotNull();
        assertThat(p.kind()).isEqualTo(kind);
        assertThat(p.namespace()).isEqualTo(namespace);
        assertThat(p.id()).isEqualTo(id);
        assertThat(p.hasId()).isEqualTo(id >= 0);
        if (data == null) {
            assertThat(p.data()).isNull();
        } else {
            assertThat(p.data()).isEqualTo(json(data));
        }
    }

    @Test
    void numericEventNameIsATextNode() throws Exception {
        Packet p = decoder().onText("2[42]");
        assertThat(p.data().get(0).isTextual()).isTrue();
        assertThat(p.data().get(0).asText()).isEqualTo("42");
    }

    static Stream<Arguments> decodedBinary() {
        ObjectNode nested = NODES.objectNode();
        nested.put("k", b(2));
        nested.put("s", "x");
        List<byte[]> sixtyFour = new ArrayList<>();
        Object[] sixtyFourItems = new Object[65];
        sixtyFourItems[0] = "many";
        for (int i = 0; i < 64; i++) {
            sixtyFour.add(b(i, i));
            sixtyFourItems[i + 1] = b(i, i);
        }
        return Stream.of(
                arguments("one attachment", "51-[\"up\"," + ph(0) + "]", List.of(b(1, 2, 3)),
                        PacketKind.EVENT, "/", -1L, array("up", b(1, 2, 3))),
                arguments("two attachments, nested", "52-[\"up\"," + ph(0) + ",{\"k\":" + ph(1) + ",\"s\":\"x\"}]",
                        List.of(b(1), b(2)), PacketKind.EVENT, "/", -1L, array("up", b(1), nested)),
                arguments("placeholders out of order", "52-[\"up\"," + ph(1) + "," + ph(0) + "]",
                        List.of(b(1), b(2)), PacketKind.EVENT, "/", -1L, array("up", b(2), b(1))),
                arguments("one attachment used twice", "51-[\"up\"," + ph(0) + "," + ph(0) + "]", List.of(b(5)),
                        PacketKind.EVENT, "/", -1L, array("up", b(5), b(5))),
                arguments("deep in arrays", "51-[\"up\",[[[" + ph(0) + "]]]]", List.of(b(5)),
                        PacketKind.EVENT, "/", -1L, array("up", array(array(array(b(5)))))),
                arguments("empty attachment", "51-[\"up\"," + ph(0) + "]", List.of(new byte[0]),
                        PacketKind.EVENT, "/", -1L, array("up", new byte[0])),
                arguments("namespace and ack id", "51-/admin,13[\"up\"," + ph(0) + "]", List.of(b(1)),
                        PacketKind.EVENT, "/admin", 13L, array("up", b(1))),
                arguments("numeric event name", "51-[7," + ph(0) + "]", List.of(b(1)),
                        PacketKind.EVENT, "/", -1L, array("7", b(1))),
                arguments("binary ack", "61-13[" + ph(0) + "]", List.of(b(9)),
                        PacketKind.ACK, "/", 13L, array(b(9))),
                arguments("binary ack /admin", "62-/admin,13[" + ph(0) + ",\"x\"," + ph(1) + "]",
                        List.of(b(1), b(2)), PacketKind.ACK, "/admin", 13L, array(b(1), "x", b(2))),
                arguments("the largest number of attachments", "564-[\"many\"" + placeholders(64) + "]", sixtyFour,
                        PacketKind.EVENT, "/", -1L, array(sixtyFourItems)));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("decodedBinary")
    void reassemblesBinaryPackets(String name, String text, List<byte[]> attachments, PacketKind kind,
            String namespace, long id, JsonNode data) throws Exception {
        PacketDecoder decoder = decoder();
        assertThat(decoder.onText(text)).as("header alone").isNull();
        for (int i = 0; i < attachments.size() - 1; i++) {
            assertThat(decoder.onBinary(Buffer.buffer(attachments.get(i)))).as("after attachment %d", i).isNull();
        }
        Packet p = decoder.onBinary(Buffer.buffer(attachments.get(attachments.size() - 1)));
        assertThat(p).as("after the last attachment").isNotNull();
        assertThat(p.kind()).isEqualTo(kind);
        assertThat(p.namespace()).isEqualTo(namespace);
        assertThat(p.id()).isEqualTo(id);
        assertThat(p.data()).isEqualTo(data);

        // the decoder is ready for the next packet, text or binary
        Packet next = decoder.onText("2[\"next\"]");
        assertThat(next).isNotNull();
        assertThat(next.data()).isEqualTo(array("next"));
        assertThat(decoder.onText("51-[\"again\"," + ph(0) + "]")).isNull();
        assertThat(decoder.onBinary(Buffer.buffer(b(4))).data()).isEqualTo(array("again", b(4)));
    }

    /** What the encoder writes, the decoder reads back (the server-to-client packets are also valid client input). */
    static Stream<Arguments> roundTrips() {
        ObjectNode upload = NODES.objectNode();
        upload.put("name", "f.bin");
        upload.put("data", b(1, 2));
        upload.put("extra", b(3));
        ObjectNode nested = NODES.objectNode();
        nested.put("a", b(1));
        nested.set("b", NODES.objectNode().put("c", b(2)));
        nested.put("d", "s");
        return Stream.of(
                arguments("connect", (Encode) e -> e.connect("/admin", NODES.objectNode().put("token", "t")),
                        PacketKind.CONNECT, "/admin", -1L, json("{\"token\":\"t\"}")),
                arguments("disconnect", (Encode) e -> e.disconnect("/"), PacketKind.DISCONNECT, "/", -1L, null),
                arguments("disconnect /admin", (Encode) e -> e.disconnect("/admin"), PacketKind.DISCONNECT, "/admin",
                        -1L, null),
                arguments("event", (Encode) e -> e.event("/", -1, "hello", new Object[] { 1 }), PacketKind.EVENT, "/",
                        -1L, array("hello", 1)),
                arguments("event /admin id", (Encode) e -> e.event("/admin", 13, "hello", new Object[] { "😀" }),
                        PacketKind.EVENT, "/admin", 13L, array("hello", "😀")),
                arguments("ack", (Encode) e -> e.ack("/", 0, new Object[0]), PacketKind.ACK, "/", 0L, array()),
                arguments("binary event", (Encode) e -> e.event("/x", 4, "up",
                        new Object[] { b(1), Buffer.buffer(b(2)), nestedMap(), new Upload() }),
                        PacketKind.EVENT, "/x", 4L, array("up", b(1), b(2), nested, upload)),
                arguments("binary ack", (Encode) e -> e.ack("/", 9, new Object[] { b(7), "x" }), PacketKind.ACK, "/",
                        9L, array(b(7), "x")));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("roundTrips")
    void roundTrips(String name, Encode encode, PacketKind kind, String namespace, long id, JsonNode data)
            throws Exception {
        List<EnginePacket> messages = encode.apply(encoder).messages();
        PacketDecoder decoder = decoder();
        Packet p = decoder.onText(messages.get(0).text());
        for (int i = 1; i < messages.size(); i++) {
            assertThat(p).as("decoded before attachment %d", i).isNull();
            p = decoder.onBinary(messages.get(i).binary());
        }
        assertThat(p).isNotNull();
        assertThat(p.kind()).isEqualTo(kind);
        assertThat(p.namespace()).isEqualTo(namespace);
        assertThat(p.id()).isEqualTo(id);
        assertThat(p.data()).isEqualTo(data);
    }

    // ================================================================ decoder: errors

    /** Steps: a String is a text message, a byte[] a binary one; only the last step must fail. */
    static Stream<Arguments> rejected() {
        String deepArrays = "[".repeat(5000) + "]".repeat(5000);
        return Stream.of(
                // unknown type
                arguments("empty", List.of("")),
                arguments("type 7", List.of("7[\"x\"]")),
                arguments("type 8", List.of("8")),
                arguments("type 9", List.of("9")),
                arguments("letter", List.of("a-[\"x\"]")),
                arguments("letter x", List.of("x")),
                arguments("char below '0'", List.of("/admin,[\"x\"]")),
                arguments("leading space", List.of(" 2[\"x\"]")),
                arguments("NUL", List.of("\u0000")),
                // invalid JSON
                arguments("unterminated array", List.of("2[\"a\"")),
                arguments("trailing comma", List.of("2[\"a\",]")),
                arguments("extra bracket", List.of("2[\"a\"]]")),
                arguments("trailing garbage", List.of("2[\"a\"]x")),
                arguments("two values", List.of("2[\"a\"] [\"b\"]")),
                arguments("unterminated object", List.of("2{")),
                arguments("missing value", List.of("0{\"a\":}")),
                arguments("unquoted key", List.of("0{a:1}")),
                arguments("single quotes", List.of("2['a']")),
                arguments("bare word", List.of("2nope")),
                arguments("NaN", List.of("2[\"a\",NaN]")),
                arguments("comment", List.of("2[\"a\"/* c */]")),
                arguments("unterminated ack", List.of("3[1,2")),
                arguments("trailing garbage in connect", List.of("0{}{}")),
                // EVENT payload
                arguments("event without payload", List.of("2")),
                arguments("event with id without payload", List.of("213")),
                arguments("event /admin without payload", List.of("2/admin,")),
                arguments("event with empty array", List.of("2[]")),
                arguments("event with id and empty array", List.of("21[]")),
                arguments("event with object", List.of("2{}")),
                arguments("event with string", List.of("2\"hello\"")),
                arguments("event with null", List.of("2null")),
                arguments("event name null", List.of("2[null]")),
                arguments("event name boolean", List.of("2[true]")),
                arguments("event name object", List.of("2[{}]")),
                arguments("event name array", List.of("2[[\"a\"]]")),
                arguments("reserved connect", List.of("2[\"connect\"]")),
                arguments("reserved connect_error", List.of("2[\"connect_error\"]")),
                arguments("reserved disconnect", List.of("2[\"disconnect\"]")),
                arguments("reserved disconnecting", List.of("2[\"disconnecting\"]")),
                arguments("reserved newListener", List.of("2[\"newListener\"]")),
                arguments("reserved removeListener", List.of("2[\"removeListener\",1]")),
                arguments("reserved, /admin with id", List.of("2/admin,5[\"connect\",1]")),
                arguments("reserved in a binary event", List.of("51-[\"disconnect\"," + ph(0) + "]", b(1))),
                arguments("binary event with empty array", List.of("50-[]")),
                // ACK payload
                arguments("ack without payload", List.of("3")),
                arguments("ack with id without payload", List.of("313")),
                arguments("ack with object", List.of("3{}")),
                arguments("ack with string", List.of("3\"x\"")),
                arguments("ack with null", List.of("3null")),
                arguments("binary ack with object", List.of("61-{\"a\":" + ph(0) + "}", b(1))),
                // DISCONNECT with payload
                arguments("disconnect with object", List.of("1{}")),
                arguments("disconnect with array", List.of("1[]")),
                arguments("disconnect with string", List.of("1\"bye\"")),
                arguments("disconnect with null", List.of("1null")),
                arguments("disconnect /admin with object", List.of("1/admin,{}")),
                arguments("disconnect with whitespace", List.of("1 ")),
                // CONNECT with a non-object payload
                arguments("connect with array", List.of("0[]")),
                arguments("connect with string", List.of("0\"x\"")),
                arguments("connect with null", List.of("0null")),
                arguments("connect with boolean", List.of("0true")),
                arguments("connect /admin with array", List.of("0/admin,[1]")),
                arguments("connect with whitespace", List.of("0 ")),
                // CONNECT_ERROR from a client
                arguments("connect error", List.of("4{\"message\":\"x\"}")),
                arguments("connect error with string", List.of("4\"x\"")),
                arguments("connect error without payload", List.of("4")),
                arguments("connect error /admin", List.of("4/admin,{\"message\":\"x\"}")),
                // attachment counts
                arguments("no count", List.of("5-")),
                arguments("no count, with payload", List.of("5-[\"a\"," + ph(0) + "]")),
                arguments("letter count", List.of("5a-[\"a\"]")),
                arguments("no dash", List.of("5[\"a\"]")),
                arguments("count without dash", List.of("51[\"a\"]")),
                arguments("space in count", List.of("5 1-[\"a\"]")),
                arguments("signed count", List.of("5+1-[\"a\"]")),
                arguments("dash inside the payload", List.of("5[\"a-b\"]")),
                arguments("binary ack, no count", List.of("6-[]")),
                arguments("binary ack, letter count", List.of("6x-[]")),
                arguments("count over the max", List.of("565-[\"a\"]")),
                arguments("binary ack count over the max", List.of("6100-[]")),
                arguments("six-digit count", List.of("5999999-[\"a\"]")),
                arguments("seven-digit count", List.of("51234567-[\"a\"]")),
                arguments("huge count", List.of("5" + "9".repeat(40) + "-[\"a\"]")),
                // placeholders
                arguments("placeholder num out of range", List.of("51-[\"a\"," + ph(1) + "]", b(1))),
                arguments("placeholder num = count", List.of("52-[\"a\"," + ph(0) + "," + ph(2) + "]", b(1), b(2))),
                arguments("placeholder num negative", List.of("51-[\"a\"," + ph(-1) + "]", b(1))),
                arguments("placeholder num huge", List.of("51-[\"a\"," + ph(0) + "," + "{\"_placeholder\":true,"
                        + "\"num\":4294967296}]", b(1))),
                arguments("placeholder num missing", List.of("51-[\"a\",{\"_placeholder\":true}]", b(1))),
                arguments("placeholder num null", List.of("51-[\"a\",{\"_placeholder\":true,\"num\":null}]", b(1))),
                arguments("placeholder num text", List.of("51-[\"a\",{\"_placeholder\":true,\"num\":\"0\"}]", b(1))),
                arguments("placeholder in an object", List.of("51-[\"a\",{\"k\":" + ph(3) + "}]", b(1))),
                // binary without a packet awaiting it
                arguments("binary first", List.of(b(1))),
                arguments("binary after a complete text packet", List.of("2[\"a\"]", b(1))),
                arguments("one binary too many", List.of("51-[\"a\"," + ph(0) + "]", b(1), b(2))),
                // text while awaiting attachments
                arguments("text instead of the attachment", List.of("51-[\"a\"," + ph(0) + "]", "2[\"x\"]")),
                arguments("text between attachments",
                        List.of("52-[\"a\"," + ph(0) + "," + ph(1) + "]", b(1), "2[\"x\"]")),
                arguments("second binary header", List.of("51-[\"a\"," + ph(0) + "]", "51-[\"b\"," + ph(0) + "]")),
                // ack ids
                arguments("ack id 2^53", List.of("29007199254740992[\"a\"]")),
                arguments("ack id 16 nines", List.of("29999999999999999[\"a\"]")),
                arguments("ack id 17 digits", List.of("2" + "1".repeat(17) + "[\"a\"]")),
                arguments("ack id over Long.MAX_VALUE", List.of("2" + "9".repeat(19) + "[\"a\"]")),
                arguments("ack id 10000 digits", List.of("2" + "9".repeat(10000) + "[\"a\"]")),
                arguments("ack 100000 digits", List.of("3" + "1".repeat(100000) + "[]")),
                arguments("ack id too large after a namespace", List.of("3/admin," + "9".repeat(30) + "[]")),
                arguments("ack id too large in a binary ack", List.of("61-" + "9".repeat(30) + "[" + ph(0) + "]")),
                // deeply nested JSON
                arguments("5000 nested arrays as an argument", List.of("2[\"a\"," + deepArrays + "]")),
                arguments("5000 nested arrays as the payload", List.of("2" + deepArrays)),
                arguments("5000 nested arrays in an ack", List.of("3" + deepArrays)),
                arguments("5000 nested objects in connect",
                        List.of("0" + "{\"a\":".repeat(5000) + "1" + "}".repeat(5000))),
                arguments("200000 unclosed arrays", List.of("2[\"a\"," + "[".repeat(200000))),
                arguments("5000 nested arrays around a placeholder",
                        List.of("51-[\"a\"," + "[".repeat(5000) + ph(0) + "]".repeat(5000) + "]", b(1))));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("rejected")
    void rejects(String name, List<Object> steps) throws Exception {
        PacketDecoder decoder = decoder();
        for (int i = 0; i < steps.size() - 1; i++) {
            Object step = steps.get(i);
            // the steps before the last are valid: they must not fail
            feed(decoder, step);
        }
        Object last = steps.get(steps.size() - 1);
        assertThatThrownBy(() -> feed(decoder, last)).isInstanceOf(ProtocolException.class);
    }

    private static Packet feed(PacketDecoder decoder, Object step) throws ProtocolException {
        return step instanceof byte[] bytes ? decoder.onBinary(Buffer.buffer(bytes)) : decoder.onText((String) step);
    }

    @Test
    void protocolExceptionsHaveAMessageAndNoStackTrace() {
        assertThatThrownBy(() -> decoder().onText("9"))
                .isInstanceOf(ProtocolException.class)
                .hasMessage("unknown packet type")
                .satisfies(t -> assertThat(t.getStackTrace()).isEmpty());
        assertThatThrownBy(() -> decoder().onText("29007199254740992[\"a\"]"))
                .hasMessageContaining("acknowledgement id");
        assertThatThrownBy(() -> decoder().onText("565-[\"a\"]"))
                .hasMessageContaining("too many attachments");
    }

    @Test
    void moderatelyNestedJsonIsAccepted() throws Exception {
        String nested = "[".repeat(200) + "]".repeat(200);
        Packet p = decoder().onText("2[\"a\"," + nested + "]");
        assertThat(p.data()).isEqualTo(json("[\"a\"," + nested + "]"));
    }

    @Test
    void decoderAllowsFewerAttachmentsThanItsLimit() throws Exception {
        PacketDecoder small = PROTOCOL.decoder(2);
        assertThat(small.onText("52-[\"a\"," + ph(0) + "," + ph(1) + "]")).isNull();
        assertThatThrownBy(() -> PROTOCOL.decoder(2).onText("53-[\"a\"]"))
                .isInstanceOf(ProtocolException.class);
        assertThat(small.onBinary(Buffer.buffer(b(1)))).isNull();
        assertThat(small.onBinary(Buffer.buffer(b(2))).data()).isEqualTo(array("a", b(1), b(2)));
    }

    @Test
    void placeholdersNamingOneAttachmentShareOneCopyOfIt() throws Exception {
        // 20,000 placeholders of one 64 KB attachment: a copy each was 1.3 GB from a 600 KB packet
        StringBuilder text = new StringBuilder("51-[\"e\"");
        for (int i = 0; i < 20_000; i++) {
            text.append(',').append(ph(0));
        }
        PacketDecoder d = decoder();
        assertThat(d.onText(text.append(']').toString())).isNull();
        Packet p = d.onBinary(Buffer.buffer(new byte[64 * 1024]));
        JsonNode first = p.data().get(1);
        assertThat(first.binaryValue()).hasSize(64 * 1024);
        assertThat(p.data().get(20_000)).isSameAs(first);
    }

    @Test
    void binaryNodeEqualityIsByContent() {
        // guards the assertions above: BinaryNode compares bytes, so a wrong attachment would be caught
        assertThat(array(b(1))).isNotEqualTo(array(b(2)));
        assertThat(array(b(1))).isEqualTo(array(b(1)));
    }
}
