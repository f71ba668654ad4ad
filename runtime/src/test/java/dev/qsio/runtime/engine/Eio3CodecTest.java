package dev.qsio.runtime.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.vertx.core.buffer.Buffer;

/** The framing of Engine.IO protocol revision 3 (Socket.IO 2.x clients), as its parser defines it. */
class Eio3CodecTest {

    @Test
    void textPayloadPrefixesEachPacketWithItsLengthInUtf16Units() {
        // "€" is one UTF-16 unit and three UTF-8 bytes; "𝄞" is two units: lengths count units, as JavaScript does
        Eio3Codec.Payload p = Eio3Codec.encodePayload(List.of(EnginePacket.message("héllo €"),
                EnginePacket.message("𝄞"), EnginePacket.PONG), true);
        assertThat(p.binary()).isFalse();
        assertThat(p.bytes().toString(StandardCharsets.UTF_8)).isEqualTo("8:4héllo €3:4𝄞1:3");
    }

    @Test
    void aLengthPrefixPastTheEndIsMalformedEvenWhereTheSumOverflows() {
        // colon + 1 + 2147483647 wrapped negative and passed the bound, then substring threw an unchecked exception
        assertThatThrownBy(() -> Eio3Codec.decodeTextPayload("2147483647:x"))
                .isInstanceOf(MalformedPacketException.class);
        assertThatThrownBy(() -> Eio3Codec.decodeTextPayload("5:4abc")).isInstanceOf(MalformedPacketException.class);
    }

    @Test
    void textPayloadDecodesWhatItEncodes() throws Exception {
        String text = "with a colon: and a separator \u001e inside";
        List<EnginePacket> packets = Eio3Codec.decodeTextPayload(
                Eio3Codec.encodePayload(List.of(EnginePacket.message(text), EnginePacket.PING,
                        EnginePacket.message(Buffer.buffer(new byte[] { 0, (byte) 255 }))), false).bytes()
                        .toString(StandardCharsets.UTF_8));
        assertThat(packets).hasSize(3);
        assertThat(packets.get(0).text()).isEqualTo(text);
        assertThat(packets.get(1).type()).isEqualTo(EnginePacketType.PING);
        assertThat(packets.get(2).binary().getBytes()).containsExactly(0, 255);
    }

    @Test
    void binaryMessagesInATextPayloadAreBase64WithTheirType() {
        Eio3Codec.Payload p = Eio3Codec.encodePayload(List.of(EnginePacket.message(Buffer.buffer(new byte[] { 1, 2, 3 }))),
                false);
        assertThat(p.binary()).isFalse();
        assertThat(p.bytes().toString(StandardCharsets.UTF_8)).isEqualTo("6:b4AQID");
    }

    @Test
    void binaryPayloadWhenAPacketIsBinaryAndTheClientReadsBytes() throws Exception {
        Eio3Codec.Payload p = Eio3Codec.encodePayload(List.of(EnginePacket.message("é"),
                EnginePacket.message(Buffer.buffer(new byte[] { 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 }))), true);
        assertThat(p.binary()).isTrue();
        // text: 0, its UTF-8 length (3: "4" and two bytes of é) as digits, 255, the bytes; binary: 1, the length of
        // the type byte and the data (11) as digits 1 1, 255, the type byte 4, the data
        assertThat(p.bytes().getBytes()).containsExactly(0, 3, 255, '4', 0xc3, 0xa9,
                1, 1, 1, 255, 4, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16);
        List<EnginePacket> back = Eio3Codec.decodeBinaryPayload(p.bytes());
        assertThat(back.get(0).text()).isEqualTo("é");
        assertThat(back.get(1).binary().getBytes()).containsExactly(7, 8, 9, 10, 11, 12, 13, 14, 15, 16);
    }

    @Test
    void webSocketBinaryFramesCarryTheTypeByte() throws Exception {
        EnginePacket packet = EnginePacket.message(Buffer.buffer(new byte[] { 5, 6 }));
        assertThat(packet.frame(true).getBytes()).containsExactly(4, 5, 6);
        assertThat(packet.frame(false).getBytes()).containsExactly(5, 6);
        assertThat(Eio3Codec.decodeFrame(Buffer.buffer(new byte[] { 4, 5, 6 })).binary().getBytes()).containsExactly(5, 6);
        assertThatThrownBy(() -> Eio3Codec.decodeFrame(Buffer.buffer(new byte[] { '4', 5 })))
                .isInstanceOf(MalformedPacketException.class);
        assertThatThrownBy(() -> Eio3Codec.decodeFrame(Buffer.buffer())).isInstanceOf(MalformedPacketException.class);
    }

    @Test
    void malformedPayloadsAreRefused() {
        for (String bad : new String[] { "", "4hello", "x:4", "5:4hi", ":4", "99999999999:4", "2:4h2", "3:b9AQ",
                "6:b4!!!!" }) {
            assertThatThrownBy(() -> Eio3Codec.decodeTextPayload(bad)).as(bad).isInstanceOf(MalformedPacketException.class);
        }
        byte[][] badBinary = { {}, { 2, 1, (byte) 255, 4 }, { 0, 5, (byte) 255, '4' }, { 0, 1 }, { 1, 10, (byte) 255 },
                { 0, (byte) 255, '4' }, { 0, 1, (byte) 255, (byte) 0xff } };
        for (byte[] bad : badBinary) {
            assertThatThrownBy(() -> Eio3Codec.decodeBinaryPayload(Buffer.buffer(bad)))
                    .isInstanceOf(MalformedPacketException.class);
        }
    }
}
