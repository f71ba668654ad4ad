package dev.qsio.runtime.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.vertx.core.buffer.Buffer;

/** The messages between the engines of a cluster. */
class EngineWireTest {

    @Test
    void fieldsAndPacketsRoundTrip() throws Exception {
        List<EnginePacket> packets = List.of(EnginePacket.message("hello"), EnginePacket.message(Buffer.buffer(new byte[] {
                0, 1, (byte) 255 })), EnginePacket.PING);
        Buffer message = new EngineWire.Writer(EngineWire.Type.DRAIN, "/socket.io/").num(42).str("sid").packets(packets)
                .bool(true).buffer();
        assertThat(EngineServer.pathOf(message)).isEqualTo("/socket.io/");
        EngineWire.Reader r = new EngineWire.Reader(message);
        assertThat(r.type).isEqualTo(EngineWire.Type.DRAIN);
        assertThat(r.num()).isEqualTo(42);
        assertThat(r.str()).isEqualTo("sid");
        List<EnginePacket> back = r.packets();
        assertThat(back).extracting(EnginePacket::segment).containsExactlyElementsOf(packets.stream()
                .map(EnginePacket::segment).toList());
        assertThat(back.get(1).binary().getBytes()).containsExactly(0, 1, 255);
        assertThat(r.bool()).isTrue();
    }

    @Test
    void anUnknownTypeIsRefused() {
        Buffer bogus = Buffer.buffer(new byte[] { 0x7f, (byte) 0xa1, 'x' });
        assertThatThrownBy(() -> new EngineWire.Reader(bogus)).isInstanceOf(IOException.class)
                .hasMessageContaining("unknown engine message");
        assertThat(EngineServer.pathOf(bogus)).isNull();
    }
}
