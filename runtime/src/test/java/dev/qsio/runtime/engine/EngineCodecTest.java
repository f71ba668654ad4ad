package dev.qsio.runtime.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.vertx.core.buffer.Buffer;

/** Engine.IO v4 packet and payload encoding (socketio/engine.io-protocol, "Packet encoding" and "Payload"). */
class EngineCodecTest {

    private static final String RS = "\u001e";

    private static final byte[] ALL_BYTES = new byte[256];
    static {
        for (int i = 0; i < ALL_BYTES.length; i++) {
            ALL_BYTES[i] = (byte) i;
        }
    }

    private static String b64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }

    /** An expected packet: a type and a text body, or (binary != null) a binary message. */
    private record Expect(EnginePacketType type, String text, byte[] binary) {

        static Expect text(EnginePacketType type, String text) {
            return new Expect(type, text, null);
        }

        static Expect bin(int... values) {
            byte[] bytes = new byte[values.length];
            for (int i = 0; i < values.length; i++) {
                bytes[i] = (byte) values[i];
            }
            return new Expect(EnginePacketType.MESSAGE, null, bytes);
        }

        void check(EnginePacket p) {
            assertThat(p.type()).as("type").isEqualTo(type);
            if (binary != null) {
                assertThat(p.isBinary()).as("isBinary").isTrue();
                assertThat(p.text()).as("text").isNull();
                assertThat(p.binary().getBytes()).as("binary").containsExactly(binary);
            } else {
                assertThat(p.isBinary()).as("isBinary").isFalse();
                assertThat(p.binary()).as("binary").isNull();
                assertThat(p.text()).as("text").isEqualTo(text);
            }
        }

        @Override
        public String toString() {
            return binary != null ? "binary" + Arrays.toString(binary) : type + " " + text;
        }
    }

    // ---------------------------------------------------------------- single packets

    static Stream<Arguments> typesWithoutData() {
        return Stream.of(
                arguments("0", EnginePacketType.OPEN),
                arguments("1", EnginePacketType.CLOSE),
                arguments("2", EnginePacketType.PING),
                arguments("3", EnginePacketType.PONG),
                arguments("4", EnginePacketType.MESSAGE),
                arguments("5", EnginePacketType.UPGRADE),
                arguments("6", EnginePacketType.NOOP));
    }

    @ParameterizedTest(name = "[{index}] \"{0}\" -> {1}")
    @MethodSource("typesWithoutData")
    void decodesEachTypeWithoutData(String encoded, EnginePacketType type) throws Exception {
        EnginePacket p = EngineCodec.decode(encoded);
        assertThat(p.type()).isEqualTo(type);
        assertThat(p.isBinary()).isFalse();
        assertThat(p.binary()).isNull();
        assertThat(p.text()).isNullOrEmpty();
        assertThat(p.segment()).isEqualTo(encoded);
        assertThat(p.frame().getBytes()).containsExactly(encoded.getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void typeDigitsMatchTheSpec() {
        assertThat(EnginePacketType.values()).extracting(t -> t.code)
                .containsExactly('0', '1', '2', '3', '4', '5', '6');
        for (EnginePacketType t : EnginePacketType.values()) {
            assertThat(EnginePacketType.of(t.code)).isSameAs(t);
        }
    }

    static Stream<Arguments> typesWithData() {
        return Stream.of(
                arguments("0{\"sid\":\"lv_VI97HAXpY6yYWAAAC\",\"upgrades\":[\"websocket\"],\"pingInterval\":25000,"
                        + "\"pingTimeout\":20000,\"maxPayload\":1000000}", EnginePacketType.OPEN,
                        "{\"sid\":\"lv_VI97HAXpY6yYWAAAC\",\"upgrades\":[\"websocket\"],\"pingInterval\":25000,"
                                + "\"pingTimeout\":20000,\"maxPayload\":1000000}"),
                arguments("1bye", EnginePacketType.CLOSE, "bye"),
                arguments("2probe", EnginePacketType.PING, "probe"),
                arguments("3probe", EnginePacketType.PONG, "probe"),
                arguments("4hello", EnginePacketType.MESSAGE, "hello"),
                arguments("42[\"hello\",1]", EnginePacketType.MESSAGE, "2[\"hello\",1]"),
                arguments("4 ", EnginePacketType.MESSAGE, " "),
                arguments("44", EnginePacketType.MESSAGE, "4"),
                arguments("4b", EnginePacketType.MESSAGE, "b"),
                arguments("4héllo wörld 😀 日本", EnginePacketType.MESSAGE, "héllo wörld 😀 日本"),
                arguments("5x", EnginePacketType.UPGRADE, "x"),
                arguments("6x", EnginePacketType.NOOP, "x"));
    }

    @ParameterizedTest(name = "[{index}] \"{0}\" -> {1} \"{2}\"")
    @MethodSource("typesWithData")
    void decodesEachTypeWithData(String encoded, EnginePacketType type, String text) throws Exception {
        EnginePacket p = EngineCodec.decode(encoded);
        Expect.text(type, text).check(p);
        assertThat(p.segment()).isEqualTo(encoded);
    }

    static Stream<Arguments> binaryPackets() {
        return Stream.of(
                arguments("bAQID", new byte[] { 1, 2, 3 }),
                arguments("bAA==", new byte[] { 0 }),
                arguments("b/w==", new byte[] { (byte) 0xff }),
                arguments("b", new byte[0]),
                arguments("b" + b64("héllo 😀".getBytes(StandardCharsets.UTF_8)), "héllo 😀".getBytes(StandardCharsets.UTF_8)),
                arguments("b" + b64(ALL_BYTES), ALL_BYTES));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("binaryPackets")
    void decodesBase64BinaryMessages(String encoded, byte[] bytes) throws Exception {
        EnginePacket p = EngineCodec.decode(encoded);
        new Expect(EnginePacketType.MESSAGE, null, bytes).check(p);
        assertThat(p.segment()).isEqualTo(encoded);
        assertThat(p.frame().getBytes()).containsExactly(bytes);
    }

    @Test
    void acceptsBase64WrappedInLinesAsTheJavaClientSendsIt() throws Exception {
        String wrapped = Base64.getMimeEncoder().encodeToString(ALL_BYTES);
        assertThat(wrapped).contains("\r\n");
        EnginePacket p = EngineCodec.decode("b" + wrapped);
        assertThat(p.binary().getBytes()).containsExactly(ALL_BYTES);
        EnginePacket unix = EngineCodec.decode("b" + wrapped.replace("\r\n", "\n"));
        assertThat(unix.binary().getBytes()).containsExactly(ALL_BYTES);
    }

    // ---------------------------------------------------------------- payloads

    static Stream<Arguments> payloads() {
        return Stream.of(
                arguments("one text packet", "4hello", List.of(Expect.text(EnginePacketType.MESSAGE, "hello"))),
                arguments("one ping", "2", List.of(Expect.text(EnginePacketType.PING, null))),
                arguments("one binary packet", "bAQIDBA==", List.of(Expect.bin(1, 2, 3, 4))),
                arguments("spec example", "4hello" + RS + "2" + RS + "4world",
                        List.of(Expect.text(EnginePacketType.MESSAGE, "hello"), Expect.text(EnginePacketType.PING, null),
                                Expect.text(EnginePacketType.MESSAGE, "world"))),
                arguments("text and binary (spec example)", "4hello" + RS + "bAQIDBA==",
                        List.of(Expect.text(EnginePacketType.MESSAGE, "hello"), Expect.bin(1, 2, 3, 4))),
                arguments("socket.io binary event", "451-[\"up\",{\"_placeholder\":true,\"num\":0}]" + RS + "bAQI=",
                        List.of(Expect.text(EnginePacketType.MESSAGE, "51-[\"up\",{\"_placeholder\":true,\"num\":0}]"),
                                Expect.bin(1, 2))),
                arguments("binary first", "bAA==" + RS + "4a" + RS + "b/w==",
                        List.of(Expect.bin(0), Expect.text(EnginePacketType.MESSAGE, "a"), Expect.bin(0xff))),
                arguments("empty message then noop", "4" + RS + "6",
                        List.of(Expect.text(EnginePacketType.MESSAGE, ""), Expect.text(EnginePacketType.NOOP, null))),
                arguments("unicode", "4😀" + RS + "4日本",
                        List.of(Expect.text(EnginePacketType.MESSAGE, "😀"), Expect.text(EnginePacketType.MESSAGE, "日本"))),
                arguments("close", "1", List.of(Expect.text(EnginePacketType.CLOSE, null))));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("payloads")
    void decodesPayloads(String name, String payload, List<Expect> expected) throws Exception {
        List<EnginePacket> packets = EngineCodec.decodePayload(payload);
        assertThat(packets).hasSize(expected.size());
        for (int i = 0; i < packets.size(); i++) {
            expected.get(i).check(packets.get(i));
        }
        // payloads in canonical form encode back to the same string
        assertThat(EngineCodec.encodePayload(packets)).isEqualTo(payload);
    }

    static Stream<Arguments> packetLists() {
        return Stream.of(
                arguments("one text", List.of(EnginePacket.message("hello"))),
                arguments("one binary", List.of(EnginePacket.message(Buffer.buffer(new byte[] { 1, 2, 3 })))),
                arguments("ping/pong/noop/close", List.of(EnginePacket.PING, EnginePacket.PONG, EnginePacket.NOOP,
                        EnginePacket.CLOSE, EnginePacket.PROBE_PONG)),
                arguments("mixed", List.of(EnginePacket.message("2[\"a\"]"),
                        EnginePacket.message(Buffer.buffer(ALL_BYTES)), EnginePacket.message("😀"),
                        EnginePacket.message(Buffer.buffer(new byte[0])), EnginePacket.message(""))),
                arguments("open", List.of(new EnginePacket(EnginePacketType.OPEN, "{\"sid\":\"x\"}", null))));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("packetLists")
    void encodePayloadRoundTrips(String name, List<EnginePacket> packets) throws Exception {
        String payload = EngineCodec.encodePayload(packets);
        assertThat(payload.chars().filter(c -> c == EngineCodec.SEPARATOR).count())
                .as("separators").isEqualTo(packets.size() - 1);
        List<EnginePacket> decoded = EngineCodec.decodePayload(payload);
        assertThat(decoded).hasSize(packets.size());
        for (int i = 0; i < packets.size(); i++) {
            EnginePacket in = packets.get(i);
            EnginePacket out = decoded.get(i);
            assertThat(out.type()).isEqualTo(in.type());
            assertThat(out.isBinary()).isEqualTo(in.isBinary());
            if (in.isBinary()) {
                assertThat(out.binary().getBytes()).containsExactly(in.binary().getBytes());
            } else {
                assertThat(Strings.nullToEmpty(out.text())).isEqualTo(Strings.nullToEmpty(in.text()));
            }
            assertThat(out.segment()).isEqualTo(in.segment());
        }
    }

    @Test
    void encodePayloadJoinsSegmentsWithTheRecordSeparator() {
        String payload = EngineCodec.encodePayload(List.of(EnginePacket.message("hello"), EnginePacket.PING,
                EnginePacket.message(Buffer.buffer(new byte[] { 1, 2, 3, 4 }))));
        assertThat(payload).isEqualTo("4hello\u001e2\u001ebAQIDBA==");
        assertThat(EngineCodec.SEPARATOR).isEqualTo((char) 0x1e);
    }

    // ---------------------------------------------------------------- frame() and segment()

    static Stream<Arguments> frames() {
        return Stream.of(
                arguments("text message", EnginePacket.message("hello"), bytes('4', "hello")),
                arguments("empty message", EnginePacket.message(""), new byte[] { '4' }),
                arguments("utf-8 message", EnginePacket.message("é😀"), bytes('4', "é😀")),
                arguments("socket.io event", EnginePacket.message("2[\"hello\",1]"), bytes('4', "2[\"hello\",1]")),
                arguments("ping", EnginePacket.PING, new byte[] { '2' }),
                arguments("pong", EnginePacket.PONG, new byte[] { '3' }),
                arguments("probe pong", EnginePacket.PROBE_PONG, bytes('3', "probe")),
                arguments("noop", EnginePacket.NOOP, new byte[] { '6' }),
                arguments("close", EnginePacket.CLOSE, new byte[] { '1' }),
                arguments("upgrade", EnginePacket.UPGRADE, new byte[] { '5' }),
                arguments("open", new EnginePacket(EnginePacketType.OPEN, "{\"sid\":\"x\"}", null), bytes('0', "{\"sid\":\"x\"}")),
                arguments("binary", EnginePacket.message(Buffer.buffer(new byte[] { 1, 2, 3 })), new byte[] { 1, 2, 3 }),
                arguments("binary starting with a type digit",
                        EnginePacket.message(Buffer.buffer(new byte[] { '4', 'x' })), new byte[] { '4', 'x' }),
                arguments("binary, all bytes", EnginePacket.message(Buffer.buffer(ALL_BYTES)), ALL_BYTES),
                arguments("empty binary", EnginePacket.message(Buffer.buffer(new byte[0])), new byte[0]));
    }

    private static byte[] bytes(char type, String text) {
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        byte[] b = new byte[body.length + 1];
        b[0] = (byte) type;
        System.arraycopy(body, 0, b, 1, body.length);
        return b;
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("frames")
    void frameBytes(String name, EnginePacket packet, byte[] expected) {
        Buffer frame = packet.frame();
        assertThat(frame.getBytes()).containsExactly(expected);
        assertThat(packet.frame()).as("cached").isSameAs(frame);
    }

    static Stream<Arguments> segments() {
        return Stream.of(
                arguments("text message", EnginePacket.message("hello"), "4hello"),
                arguments("empty message", EnginePacket.message(""), "4"),
                arguments("utf-8 message", EnginePacket.message("é😀"), "4é😀"),
                arguments("ping", EnginePacket.PING, "2"),
                arguments("pong", EnginePacket.PONG, "3"),
                arguments("probe pong", EnginePacket.PROBE_PONG, "3probe"),
                arguments("noop", EnginePacket.NOOP, "6"),
                arguments("close", EnginePacket.CLOSE, "1"),
                arguments("upgrade", EnginePacket.UPGRADE, "5"),
                arguments("open", new EnginePacket(EnginePacketType.OPEN, "{\"sid\":\"x\"}", null), "0{\"sid\":\"x\"}"),
                arguments("binary", EnginePacket.message(Buffer.buffer(new byte[] { 1, 2, 3, 4 })), "bAQIDBA=="),
                arguments("empty binary", EnginePacket.message(Buffer.buffer(new byte[0])), "b"),
                arguments("binary, all bytes", EnginePacket.message(Buffer.buffer(ALL_BYTES)), "b" + b64(ALL_BYTES)));
    }

    @ParameterizedTest(name = "[{index}] {0} -> {2}")
    @MethodSource("segments")
    void segmentForms(String name, EnginePacket packet, String expected) {
        String segment = packet.segment();
        assertThat(segment).isEqualTo(expected);
        assertThat(packet.segment()).as("cached").isSameAs(segment);
    }

    // ---------------------------------------------------------------- malformed input

    static Stream<Arguments> malformedPackets() {
        return Stream.of(
                arguments("empty", ""),
                arguments("type 7", "7"),
                arguments("type 7 with data", "7hello"),
                arguments("type 8", "8"),
                arguments("type 9", "9"),
                arguments("letter", "x"),
                arguments("letter with data", "xhello"),
                arguments("capital B", "BAQID"),
                arguments("char below '0'", "/"),
                arguments("char above '9'", ":"),
                arguments("space", " 4hello"),
                arguments("NUL", "\u0000"),
                arguments("control char", "\u0001"),
                arguments("record separator", RS),
                arguments("non-ascii", "é"),
                arguments("base64 with illegal chars", "b!!!!"),
                arguments("base64 with space", "bAQ ID"),
                arguments("base64 truncated to one char", "bA"),
                arguments("base64 url alphabet", "b-_8="),
                arguments("base64 bad padding", "bA==="));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("malformedPackets")
    void rejectsMalformedPackets(String name, String encoded) {
        assertThatThrownBy(() -> EngineCodec.decode(encoded)).isInstanceOf(MalformedPacketException.class);
        // a malformed packet is malformed in a payload too, alone or among valid packets
        assertThatThrownBy(() -> EngineCodec.decodePayload(encoded)).isInstanceOf(MalformedPacketException.class);
        assertThatThrownBy(() -> EngineCodec.decodePayload("4ok" + RS + encoded + RS + "2"))
                .isInstanceOf(MalformedPacketException.class);
    }

    @Test
    void unknownTypeMessageShowsControlCharsEscaped() {
        assertThatThrownBy(() -> EngineCodec.decode("\u0001x"))
                .isInstanceOf(MalformedPacketException.class)
                .hasMessageContaining("\\u0001");
        assertThatThrownBy(() -> EngineCodec.decode("7"))
                .isInstanceOf(MalformedPacketException.class)
                .hasMessageContaining("'7'");
    }

    static Stream<Arguments> malformedPayloads() {
        return Stream.of(
                arguments("empty payload", ""),
                arguments("only a separator", RS),
                arguments("empty segment inside", "4a" + RS + RS + "4b"),
                arguments("trailing separator", "4a" + RS),
                arguments("trailing separator after binary", "bAQID" + RS),
                arguments("leading separator", RS + "4a"),
                arguments("unknown type in second segment", "4a" + RS + "7"),
                arguments("bad base64 in second segment", "4a" + RS + "b!!!!"),
                arguments("two separators only", RS + RS));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("malformedPayloads")
    void rejectsMalformedPayloads(String name, String payload) {
        assertThatThrownBy(() -> EngineCodec.decodePayload(payload)).isInstanceOf(MalformedPacketException.class);
    }

    private static final class Strings {
        static String nullToEmpty(String s) {
            return s == null ? "" : s;
        }
    }
}
