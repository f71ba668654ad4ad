package dev.qsio.runtime.bus;

import java.util.function.IntSupplier;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.parsetools.RecordParser;

/**
 * The framing of the local bus: a 4-byte length, then a kind byte and the body.
 */
final class Frames {

    static final byte HELLO = 1;
    static final byte WELCOME = 2;
    static final byte MEMBERS = 3;
    static final byte RELAY = 4;
    static final byte DELIVER = 5;
    static final byte HEARTBEAT = 6;
    static final byte REFUSED = 7;

    /** The largest frame accepted; a peer sending more is disconnected. */
    static final int MAX_FRAME = 64 * 1024 * 1024;

    /** Relay target meaning "every member but the sender". */
    static final int ALL = -1;

    private Frames() {
    }

    static Buffer frame(byte kind, Buffer body) {
        int length = 1 + (body == null ? 0 : body.length());
        Buffer b = Buffer.buffer(4 + length).appendInt(length).appendByte(kind);
        if (body != null) {
            b.appendBuffer(body);
        }
        return b;
    }

    /** A frame whose body is an int followed by a payload (RELAY and DELIVER). */
    static Buffer frame(byte kind, int member, Buffer payload) {
        int length = 1 + 4 + payload.length();
        return Buffer.buffer(4 + length).appendInt(length).appendByte(kind).appendInt(member).appendBuffer(payload);
    }

    /** The largest frame a peer may send before it has authenticated (a HELLO is a few dozen bytes). */
    static final int MAX_UNAUTHENTICATED_FRAME = 4096;

    /** A parser that calls {@code handler} with each frame (kind byte first); {@code onError} on a bad length. */
    static RecordParser parser(Handler<Buffer> handler, Runnable onError) {
        return parser(handler, onError, () -> MAX_FRAME);
    }

    /**
     * A parser that calls {@code handler} with each frame; {@code onError} on a length over {@code maxFrame} (read
     * for each frame: a peer's limit may grow once it has authenticated). Nothing of a refused frame is buffered.
     */
    static RecordParser parser(Handler<Buffer> handler, Runnable onError, IntSupplier maxFrame) {
        RecordParser parser = RecordParser.newFixed(4);
        int[] expected = { -1 };
        parser.handler(buffer -> {
            if (expected[0] < 0) {
                int length = buffer.getInt(0);
                if (length <= 0 || length > maxFrame.getAsInt()) {
                    parser.handler(ignored -> {
                    });
                    onError.run();
                    return;
                }
                expected[0] = length;
                parser.fixedSizeMode(length);
            } else {
                expected[0] = -1;
                parser.fixedSizeMode(4);
                handler.handle(buffer);
            }
        });
        return parser;
    }
}
