package dev.qsio.runtime.webtransport;

import io.netty.buffer.ByteBuf;

/** QUIC's variable-length integers (RFC 9000, 16): 1, 2, 4 or 8 bytes, the first two bits giving which. */
final class Varint {

    private Varint() {
    }

    /** Reads one, or returns -1 (the reader index unmoved) when {@code in} does not hold all of it yet. */
    static long read(ByteBuf in) {
        if (!in.isReadable()) {
            return -1;
        }
        int first = in.getUnsignedByte(in.readerIndex());
        int length = 1 << (first >> 6);
        if (in.readableBytes() < length) {
            return -1;
        }
        long value = in.readUnsignedByte() & 0x3f;
        for (int i = 1; i < length; i++) {
            value = (value << 8) | in.readUnsignedByte();
        }
        return value;
    }

    /** How many bytes {@link #write} takes for {@code value}. */
    static int length(long value) {
        return value < 0x40 ? 1 : value < 0x4000 ? 2 : value < 0x4000_0000L ? 4 : 8;
    }

    static void write(ByteBuf out, long value) {
        if (value < 0x40) {
            out.writeByte((int) value);
        } else if (value < 0x4000) {
            out.writeShort((int) (0x4000 | value));
        } else if (value < 0x4000_0000L) {
            out.writeInt((int) (0x8000_0000L | value));
        } else {
            out.writeLong(0xC000_0000_0000_0000L | value);
        }
    }
}
