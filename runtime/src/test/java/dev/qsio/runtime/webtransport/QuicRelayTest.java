package dev.qsio.runtime.webtransport;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;

import org.junit.jupiter.api.Test;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/** What the primary reads in a QUIC header to find a datagram's worker, and the ids a worker issues. */
class QuicRelayTest {

    static ByteBuf shortHeader(int firstIdByte) {
        ByteBuf b = Unpooled.buffer();
        b.writeByte(0x40);
        b.writeByte(firstIdByte);
        b.writeZero(QuicRelay.ID_LENGTH - 1 + 20);
        return b;
    }

    static ByteBuf longHeader(byte[] dcid) {
        ByteBuf b = Unpooled.buffer();
        b.writeByte(0xC0).writeInt(1).writeByte(dcid.length).writeBytes(dcid).writeByte(0);
        b.writeZero(40);
        return b;
    }

    @Test
    void theSlotIsTheFirstByteOfTheDestinationId() {
        assertThat(QuicRelay.slotOf(shortHeader(2))).isEqualTo(2);
        assertThat(QuicRelay.slotOf(longHeader(new byte[] { 7, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 }))).isEqualTo(7);
        // a long header's id of another length than a worker's is one the client chose (Chromium's are 8 bytes): it
        // names no worker, whatever its first byte
        assertThat(QuicRelay.slotOf(longHeader(new byte[] { 7, 1, 2, 3, 4, 5, 6, 7 }))).isEqualTo(-1);
        assertThat(QuicRelay.slotOf(longHeader(new byte[20]))).isEqualTo(-1);
        // a short header without room for an id, a long one cut in its id, a long one with an empty id
        assertThat(QuicRelay.slotOf(Unpooled.wrappedBuffer(new byte[] { 0x40, 1, 2 }))).isEqualTo(-1);
        assertThat(QuicRelay.slotOf(Unpooled.wrappedBuffer(new byte[] { (byte) 0xC0, 0, 0, 0, 1, 8, 1 }))).isEqualTo(-1);
        assertThat(QuicRelay.slotOf(longHeader(new byte[0]))).isEqualTo(-1);
        assertThat(QuicRelay.slotOf(Unpooled.EMPTY_BUFFER)).isEqualTo(-1);
    }

    @Test
    void aClientsFirstPacketsOfOneIdHashAlikeAndShortHeadersHaveNoHash() {
        byte[] id = { 9, 8, 7, 6, 5, 4, 3, 2 };
        assertThat(QuicRelay.idHash(longHeader(id))).isEqualTo(QuicRelay.idHash(longHeader(id.clone())))
                .isNotNegative();
        assertThat(QuicRelay.idHash(longHeader(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 })))
                .isNotEqualTo(QuicRelay.idHash(longHeader(id)));
        assertThat(QuicRelay.idHash(shortHeader(1))).isEqualTo(-1);
    }

    @Test
    void aWorkersIdsStartWithItsSlotAndAreTheSameForTheSameInput() {
        QuicRelay.SlotIds ids = new QuicRelay.SlotIds(3);
        ByteBuffer scid = ByteBuffer.wrap(new byte[] { 1, 2, 3, 4 });
        ByteBuffer dcid = ByteBuffer.wrap(new byte[] { 5, 6, 7, 8, 9, 10, 11, 12 });
        ByteBuffer a = ids.newId(scid.duplicate(), dcid.duplicate(), QuicRelay.ID_LENGTH);
        ByteBuffer b = ids.newId(scid.duplicate(), dcid.duplicate(), QuicRelay.ID_LENGTH);
        assertThat(a.remaining()).isEqualTo(QuicRelay.ID_LENGTH);
        assertThat(a.get(0)).isEqualTo((byte) 3);
        assertThat(a).isEqualTo(b);
        ByteBuffer other = ids.newId(ByteBuffer.wrap(new byte[] { 9, 9, 9, 9, 9, 9, 9, 9 }), QuicRelay.ID_LENGTH);
        assertThat(other.get(0)).isEqualTo((byte) 3);
        assertThat(other).isNotEqualTo(a);
        // an id this worker issued is steered back to it
        ByteBuf header = Unpooled.buffer().writeByte(0x40).writeBytes(a.duplicate()).writeZero(20);
        assertThat(QuicRelay.slotOf(header)).isEqualTo(3);
    }

    @Test
    void varintsOfEachLength() {
        for (long v : new long[] { 0, 63, 64, 16383, 16384, (1L << 30) - 1, 1L << 30, 0x2b603742L, (1L << 62) - 1 }) {
            ByteBuf b = Unpooled.buffer();
            Varint.write(b, v);
            assertThat(Varint.read(b)).as("%d", v).isEqualTo(v);
            assertThat(b.isReadable()).isFalse();
        }
        // cut short: nothing read
        ByteBuf cut = Unpooled.wrappedBuffer(new byte[] { (byte) 0x80, 1 });
        assertThat(Varint.read(cut)).isEqualTo(-1);
        assertThat(cut.readerIndex()).isZero();
    }

    @Test
    void theAnswerToAConnectIsAStaticStatusThenTheDraftHeader() {
        byte[] ok = Qpack.status(200);
        assertThat(ok[0]).isZero();
        assertThat(ok[1]).isZero();
        assertThat(ok[2] & 0xff).isEqualTo(0xC0 | 25);
        assertThat(new String(ok, 5, 28)).isEqualTo("sec-webtransport-http3-draft");
        assertThat(Qpack.status(404)).containsExactly(0, 0, 0xC0 | 27);
        assertThat(Qpack.status(403)).containsExactly(0, 0, 0xFF, 68 - 63);
    }

    @Test
    void aResetEndsInTheTokenOfTheWorkerTheIdNamesAndIsShorterThanWhatItAnswers() {
        QuicRelay.ResetTokens primary = new QuicRelay.ResetTokens(java.util.Base64.getDecoder()
                .decode(QuicRelay.ResetTokens.newKey()));
        ByteBuffer id = new QuicRelay.SlotIds(4).newId(ByteBuffer.wrap(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 }),
                QuicRelay.ID_LENGTH);
        // a worker's token, in its transport parameters and with each further id it issues (the id names the worker)
        byte[] worker = primary.forSlot(4);
        assertThat(worker).hasSize(16);
        ByteBuffer issued = primary.newResetToken(id.duplicate());
        assertThat(id.remaining()).as("the id is left as it was").isEqualTo(QuicRelay.ID_LENGTH);
        byte[] token = new byte[16];
        issued.duplicate().get(token);
        assertThat(token).isEqualTo(worker);
        assertThat(primary.forSlot(5)).as("another worker's").isNotEqualTo(worker);
        ByteBuf datagram = Unpooled.buffer().writeByte(0x45).writeBytes(id.duplicate()).writeZero(60);
        assertThat(QuicRelay.isShortHeader(datagram)).isTrue();
        byte[] reset = primary.reset(QuicRelay.slotOf(datagram), datagram.readableBytes());
        assertThat(reset).hasSize(42);
        assertThat(reset[0] & 0xc0).as("a short header's form and fixed bits").isEqualTo(0x40);
        assertThat(java.util.Arrays.copyOfRange(reset, reset.length - 16, reset.length)).isEqualTo(worker);
        // one byte shorter than a short datagram; none for one too short to be answered
        assertThat(primary.reset(4, 30)).hasSize(29);
        assertThat(primary.reset(4, 21)).isNull();
        // another host's key gives other tokens
        QuicRelay.ResetTokens other = new QuicRelay.ResetTokens(java.util.Base64.getDecoder()
                .decode(QuicRelay.ResetTokens.newKey()));
        assertThat(other.forSlot(4)).isNotEqualTo(worker);
        // a long header is not answered with a reset: the client has no token before its handshake ends
        assertThat(QuicRelay.isShortHeader(longHeader(new byte[] { 4, 1, 2, 3, 4, 5, 6, 7 }))).isFalse();
    }
}
