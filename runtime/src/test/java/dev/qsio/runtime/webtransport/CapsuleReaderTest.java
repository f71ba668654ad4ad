package dev.qsio.runtime.webtransport;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;

/** The capsules of a CONNECT stream as they come (in HTTP/3 DATA frames), in pieces of any size. */
class CapsuleReaderTest {

    private final List<String> seen = new ArrayList<>();
    /** Counts the bytes the reader keeps at once. */
    private final UnpooledByteBufAllocator alloc = new UnpooledByteBufAllocator(false, false, false);
    private final CapsuleReader reader = new CapsuleReader(alloc, new CapsuleReader.Receiver() {
        @Override
        public void closed(long code, String message) {
            seen.add("close " + code + " " + message);
        }

        @Override
        public void drained() {
            seen.add("drain");
        }

        @Override
        public void malformed(String why) {
            seen.add("malformed: " + why);
        }
    });

    static ByteBuf capsule(long type, byte[] payload) {
        ByteBuf b = Unpooled.buffer();
        Varint.write(b, type);
        Varint.write(b, payload.length);
        b.writeBytes(payload);
        return b;
    }

    static ByteBuf close(long code, String message) {
        byte[] text = message.getBytes(StandardCharsets.UTF_8);
        ByteBuf payload = Unpooled.buffer().writeInt((int) code).writeBytes(text);
        byte[] bytes = new byte[payload.readableBytes()];
        payload.readBytes(bytes);
        return capsule(WebTransportSession.CLOSE_CAPSULE, bytes);
    }

    static ByteBuf drain() {
        return capsule(WebTransportSession.DRAIN_CAPSULE, new byte[0]);
    }

    /** The most the reader held at once, in bytes. */
    private long mostKept;

    /** A frame of HTTP/3 of {@code type} around {@code payload}. */
    static ByteBuf frame(long type, ByteBuf payload) {
        ByteBuf b = Unpooled.buffer();
        Varint.write(b, type);
        Varint.write(b, payload.readableBytes());
        return Unpooled.wrappedBuffer(b, payload);
    }

    /** Feeds the capsules {@code all}, in one DATA frame, in pieces of {@code size} bytes. */
    void feed(ByteBuf all, int size) {
        feedFrames(frame(CapsuleReader.DATA_FRAME, all), size);
    }

    /** Feeds {@code all}, HTTP/3 frames, in pieces of {@code size} bytes. */
    void feedFrames(ByteBuf all, int size) {
        while (all.isReadable()) {
            ByteBuf piece = all.readRetainedSlice(Math.min(size, all.readableBytes()));
            reader.read(piece);
            assertThat(piece.isReadable()).as("each piece is read whole").isFalse();
            mostKept = Math.max(mostKept, alloc.metric().usedHeapMemory());
            piece.release();
        }
        all.release();
    }

    @Test
    void aCloseByteByByteWithAMessageOfSeveralBytesACharacter() {
        feed(close(0xfffffffeL, "au revoir, été"), 1);
        assertThat(seen).containsExactly("close 4294967294 au revoir, été");
    }

    @Test
    void aDrainThenACloseInOnePiece() {
        feed(Unpooled.wrappedBuffer(drain(), close(7, "bye")), 1000);
        assertThat(seen).containsExactly("drain", "close 7 bye");
    }

    @Test
    void aCapsuleOfAnotherTypeIsSkippedWithoutBeingKeptWhateverItsLength() {
        // 1 MB of an unknown type (a DATAGRAM capsule, type 0), in pieces of 1,500 bytes, then a CLOSE
        ByteBuf big = capsule(0x00, new byte[1 << 20]);
        feed(Unpooled.wrappedBuffer(big, capsule(0x2d4a3b, new byte[3]), close(1, "")), 1500);
        assertThat(seen).containsExactly("close 1 ");
        assertThat(mostKept).as("the most held at once").isLessThanOrEqualTo(2 * CapsuleReader.MOST_KEPT);
        assertThat(alloc.metric().usedHeapMemory()).as("nothing kept after the CLOSE").isZero();
    }

    @Test
    void whatIsKeptOfACapsuleIsBounded() {
        // a CLOSE whose message is a byte too long is refused from its header, before its bytes come
        ByteBuf header = Unpooled.buffer();
        Varint.write(header, WebTransportSession.CLOSE_CAPSULE);
        Varint.write(header, 4 + WebTransportSession.MAX_CLOSE_MESSAGE + 1);
        feed(header, 1);
        assertThat(seen).singleElement().asString().startsWith("malformed: a CLOSE_WEBTRANSPORT_SESSION capsule of 1029");
    }

    @Test
    void theLongestMessageIsRead() {
        String longest = "m".repeat(WebTransportSession.MAX_CLOSE_MESSAGE);
        feed(close(2, longest), 100);
        assertThat(seen).containsExactly("close 2 " + longest);
    }

    @Test
    void malformedCapsulesEndTheReading() {
        for (ByteBuf bad : List.of(capsule(WebTransportSession.DRAIN_CAPSULE, new byte[1]),
                capsule(WebTransportSession.CLOSE_CAPSULE, new byte[3]),
                Unpooled.wrappedBuffer(close(0, "done"), Unpooled.wrappedBuffer(new byte[] { 0 })))) {
            seen.clear();
            CapsuleReaderTest t = new CapsuleReaderTest();
            t.feed(Unpooled.wrappedBuffer(bad, drain()), 2);
            assertThat(t.seen).as("then nothing more is read").last().asString().startsWith("malformed: ");
            assertThat(t.seen.stream().filter(s -> s.equals("drain"))).isEmpty();
            assertThat(t.alloc.metric().usedHeapMemory()).isZero();
        }
    }

    @Test
    void aCapsuleSpansDataFramesAndOtherFramesAreSkipped() {
        ByteBuf close = close(9, "spans two DATA frames");
        ByteBuf first = close.readRetainedSlice(5);
        // a frame of a type this reader does not know (reserved: 0x1f * N + 0x21), between them
        feedFrames(Unpooled.wrappedBuffer(frame(CapsuleReader.DATA_FRAME, first),
                frame(0x1f * 7 + 0x21, Unpooled.wrappedBuffer(new byte[300])),
                frame(CapsuleReader.DATA_FRAME, close)), 7);
        assertThat(seen).containsExactly("close 9 spans two DATA frames");
    }

    @Test
    void bytesAfterACloseAreMalformed() {
        feed(Unpooled.wrappedBuffer(close(0, ""), drain()), 64);
        assertThat(seen).containsExactly("close 0 ", "malformed: bytes after its CLOSE_WEBTRANSPORT_SESSION capsule");
    }

    @Test
    void aHeaderSplitInsideItsVarints() {
        // DRAIN's type takes a 4-byte varint: every split point of the header is tried
        ByteBuf all = frame(CapsuleReader.DATA_FRAME, Unpooled.wrappedBuffer(drain(), close(3, "x")));
        byte[] bytes = new byte[all.readableBytes()];
        all.readBytes(bytes);
        for (int cut = 1; cut < bytes.length; cut++) {
            CapsuleReaderTest t = new CapsuleReaderTest();
            t.reader.read(Unpooled.wrappedBuffer(bytes, 0, cut));
            t.reader.read(Unpooled.wrappedBuffer(bytes, cut, bytes.length - cut));
            assertThat(t.seen).as("cut at " + cut).containsExactly("drain", "close 3 x");
        }
    }

}
