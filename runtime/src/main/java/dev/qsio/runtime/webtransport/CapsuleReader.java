package dev.qsio.runtime.webtransport;

import java.nio.charset.StandardCharsets;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * The capsules (RFC 9297) a client sends on a WebTransport session's CONNECT stream, as they come, in pieces of any
 * size. On HTTP/3 they are the request's data: the payloads of its DATA frames, one after the other (a capsule may
 * span frames); frames of other types are skipped. A capsule is a type, a length and as many bytes, each a varint. Of those draft-ietf-webtrans-http3 defines, the session
 * reads CLOSE_WEBTRANSPORT_SESSION (the client ends it, with a 32-bit code and a message of
 * {@link WebTransportSession#MAX_CLOSE_MESSAGE} bytes at most, and sends nothing after it) and
 * DRAIN_WEBTRANSPORT_SESSION (empty: the client asks that it end soon). A capsule of another type is skipped as it
 * comes: its bytes are never kept, whatever its length. Malformed: a CLOSE or DRAIN of a wrong length, anything after a
 * CLOSE; the reader then reads no more.
 */
final class CapsuleReader {

    /** What the capsules say. */
    interface Receiver {
        void closed(long code, String message);

        void drained();

        void malformed(String why);
    }

    /** HTTP/3's DATA frame (RFC 9114, 7.2.1). */
    static final long DATA_FRAME = 0x00;

    /** The most kept of a capsule being read: a CLOSE capsule whole, with its header. */
    static final int MOST_KEPT = 16 + 4 + WebTransportSession.MAX_CLOSE_MESSAGE;

    private final ByteBufAllocator alloc;
    private final Receiver receiver;
    /** What has come of an HTTP/3 frame's header, until the rest does. */
    private final ByteBuf frameHeader = io.netty.buffer.Unpooled.buffer(16, 16);
    /** Bytes of the current frame still to come, and whether it is a DATA frame (read) or another (skipped). */
    private long frameLeft;
    private boolean dataFrame;
    /** What has come of the capsule being read, until the rest does. */
    private ByteBuf pending;
    /** Bytes of a skipped capsule still to come. */
    private long skipping;
    /** The CLOSE came: nothing may follow. */
    private boolean closed;
    private boolean failed;

    CapsuleReader(ByteBufAllocator alloc, Receiver receiver) {
        this.alloc = alloc;
        this.receiver = receiver;
    }

    /** Reads what came; {@code in} is read whole (its owner releases it). */
    void read(ByteBuf in) {
        while (!failed && in.isReadable()) {
            if (frameLeft == 0) {
                // a frame's header: its type and its length
                frameHeader.writeBytes(in, Math.min(frameHeader.writableBytes(), in.readableBytes()));
                int start = frameHeader.readerIndex();
                long type = Varint.read(frameHeader);
                long length = type < 0 ? -1 : Varint.read(frameHeader);
                if (length < 0) {
                    frameHeader.readerIndex(start);
                    // the header's bytes read too many were none: all of it is kept and needs more
                    return;
                }
                // what the header buffer took past the header goes back to the input
                in.readerIndex(in.readerIndex() - frameHeader.readableBytes());
                frameHeader.clear();
                frameLeft = length;
                dataFrame = type == DATA_FRAME;
                continue;
            }
            int n = (int) Math.min(frameLeft, in.readableBytes());
            ByteBuf payload = in.readSlice(n);
            frameLeft -= n;
            if (dataFrame) {
                capsules(payload);
            }
        }
        in.skipBytes(in.readableBytes());
    }

    /** Reads capsule bytes: a DATA frame's payload, or a piece of it. */
    private void capsules(ByteBuf in) {
        while (!failed) {
            int skip = (int) Math.min(skipping, in.readableBytes());
            in.skipBytes(skip);
            skipping -= skip;
            if (!in.isReadable() && (pending == null || !pending.isReadable())) {
                return;
            }
            if (closed) {
                fail("bytes after its CLOSE_WEBTRANSPORT_SESSION capsule");
                return;
            }
            if (pending == null) {
                pending = alloc.buffer(16);
            }
            pending.writeBytes(in, Math.min(MOST_KEPT - pending.readableBytes(), in.readableBytes()));
            if (!capsule()) {
                // all that came is kept and the capsule needs more, unless what is kept can hold no more
                if (pending.readableBytes() >= MOST_KEPT) {
                    fail("a capsule header that does not end");
                }
                return;
            }
            if (!failed) {
                if (pending.isReadable()) {
                    pending.discardReadBytes();
                } else {
                    // an idle session keeps nothing
                    release();
                }
            }
        }
        in.skipBytes(in.readableBytes());
    }

    /** Reads one capsule from {@link #pending}: false, nothing read, when it needs more bytes. */
    private boolean capsule() {
        ByteBuf b = pending;
        int start = b.readerIndex();
        long type = Varint.read(b);
        long length = type < 0 ? -1 : Varint.read(b);
        if (length < 0) {
            b.readerIndex(start);
            return false;
        }
        if (type != WebTransportSession.CLOSE_CAPSULE && type != WebTransportSession.DRAIN_CAPSULE) {
            // what of it came goes; the rest, if it has not all come, as it comes (nothing is kept meanwhile)
            int here = (int) Math.min(length, b.readableBytes());
            b.skipBytes(here);
            skipping = length - here;
            return true;
        }
        if (type == WebTransportSession.DRAIN_CAPSULE) {
            if (length != 0) {
                fail("a DRAIN_WEBTRANSPORT_SESSION capsule of " + length + " bytes");
            } else {
                receiver.drained();
            }
            return true;
        }
        if (length < 4 || length > 4 + WebTransportSession.MAX_CLOSE_MESSAGE) {
            fail("a CLOSE_WEBTRANSPORT_SESSION capsule of " + length + " bytes");
            return true;
        }
        if (b.readableBytes() < length) {
            b.readerIndex(start);
            return false;
        }
        long code = b.readUnsignedInt();
        String message = b.readCharSequence((int) length - 4, StandardCharsets.UTF_8).toString();
        closed = true;
        receiver.closed(code, message);
        return true;
    }

    private void fail(String why) {
        failed = true;
        release();
        receiver.malformed(why);
    }

    /** Lets go what is kept (the stream is gone). */
    void release() {
        if (pending != null) {
            pending.release();
            pending = null;
        }
    }
}
