package dev.qsio.runtime.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.vertx.core.buffer.Buffer;

/**
 * The msgpack parser's packets ({@code socket.io-msgpack-parser} 3.0): what its client sends (bytes made with its
 * {@code notepack.io} 3.0 encoder) is decoded with its values and binaries in place, what the server encodes decodes
 * back to the same packet, and malformed packets are refused with the reference parser's reasons.
 */
class MsgpackCodecTest {

    private static final ProtocolJson PROTOCOL = ProtocolJson.from(new ObjectMapper(), ProtocolJson.Parser.MSGPACK);

    private static Packet decode(String hex) throws ProtocolException {
        return PROTOCOL.decoder(64).onBinary(Buffer.buffer(HexFormat.of().parseHex(hex)));
    }

    @Test
    void aConnectWithoutAuth() throws ProtocolException {
        // {type: 0, nsp: "/", data: undefined}: notepack leaves the undefined field out
        Packet p = decode("82a47479706500a36e7370a12f");
        assertThat(p.kind()).isEqualTo(PacketKind.CONNECT);
        assertThat(p.namespace()).isEqualTo("/");
        assertThat(p.data()).isNull();
        assertThat(p.hasId()).isFalse();
    }

    @Test
    void anEventWithAnIdABinaryAndUndefinedValues() throws Exception {
        // {type: 2, nsp: "/chat", id: 7, data: ["up", Buffer [1, 2], {a: undefined, b: 1.5}, undefined]}
        Packet p = decode("84a47479706502a36e7370a52f63686174a2696407a46461746194a27570c402010281a162cb3ff8000000000000c0");
        assertThat(p.kind()).isEqualTo(PacketKind.EVENT);
        assertThat(p.namespace()).isEqualTo("/chat");
        assertThat(p.id()).isEqualTo(7);
        JsonNode data = p.data();
        assertThat(data.get(0).asText()).isEqualTo("up");
        assertThat(data.get(1).isBinary()).isTrue();
        assertThat(data.get(1).binaryValue()).containsExactly(1, 2);
        assertThat(data.get(2).get("b").asDouble()).isEqualTo(1.5);
        assertThat(data.get(3).isNull()).isTrue();
    }

    @Test
    void whatTheServerEncodesDecodesBack() throws Exception {
        PacketEncoder encoder = PROTOCOL.encoder();
        Encoded event = encoder.event("/chat", 12, "news", new Object[] { Map.of("n", 1), new byte[] { 5, 6 } });
        assertThat(event.binaryPacket()).isTrue();
        assertThat(event.single()).isTrue();
        Packet p = PROTOCOL.decode(event);
        assertThat(p.kind()).isEqualTo(PacketKind.EVENT);
        assertThat(p.namespace()).isEqualTo("/chat");
        assertThat(p.id()).isEqualTo(12);
        assertThat(p.data().get(0).asText()).isEqualTo("news");
        assertThat(p.data().get(1).get("n").asInt()).isEqualTo(1);
        assertThat(p.data().get(2).binaryValue()).containsExactly(5, 6);
        Packet ack = PROTOCOL.decode(encoder.ack("/", 3, new Object[] { "ok" }));
        assertThat(ack.kind()).isEqualTo(PacketKind.ACK);
        assertThat(ack.id()).isEqualTo(3);
        Packet connected = PROTOCOL.decode(encoder.connected("/x", "sid-1", "pid-2"));
        assertThat(connected.kind()).isEqualTo(PacketKind.CONNECT);
        assertThat(connected.namespace()).isEqualTo("/x");
        assertThat(connected.data().get("sid").asText()).isEqualTo("sid-1");
        assertThat(connected.data().get("pid").asText()).isEqualTo("pid-2");
        Packet disconnect = PROTOCOL.decode(encoder.disconnect("/x"));
        assertThat(disconnect.kind()).isEqualTo(PacketKind.DISCONNECT);
        assertThat(disconnect.data()).isNull();
    }

    @Test
    void malformedPacketsAreRefused() {
        // a text message, an unknown type (9), a negative id, a reserved event name, a CONNECT_ERROR from a client,
        // bytes that are not MessagePack, a packet that is not a map
        assertThatThrownBy(() -> PROTOCOL.decoder(64).onText("2[\"x\"]")).isInstanceOf(ProtocolException.class)
                .hasMessageContaining("msgpack parser takes binary packets");
        assertThatThrownBy(() -> decode("83a47479706509a36e7370a12fa46461746190")).hasMessage("invalid packet type");
        assertThatThrownBy(() -> decode("84a47479706502a36e7370a12fa26964ffa46461746191a178"))
                .hasMessage("invalid packet id");
        assertThatThrownBy(() -> decode("83a47479706502a36e7370a12fa46461746191a7636f6e6e656374"))
                .hasMessage("invalid payload for EVENT");
        assertThatThrownBy(() -> decode("83a47479706504a36e7370a12fa46461746181a76d657373616765a26e6f"))
                .hasMessage("invalid payload for CONNECT_ERROR");
        assertThatThrownBy(() -> decode("c1")).isInstanceOf(ProtocolException.class);
        assertThatThrownBy(() -> decode("93010203")).hasMessage("invalid packet: not a map");
    }
}
