package dev.qsio.runtime.codec;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

import org.msgpack.core.ExtensionTypeHeader;
import org.msgpack.core.MessageFormat;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessagePackException;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.jackson.dataformat.MessagePackFactory;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.io.IOContext;

/**
 * MessagePack read from peers without trusting what it declares. A MessagePack header declares how long its string,
 * binary or extension is and how many elements its array or map has; msgpack-core and Jackson's MessagePack parser
 * allocate what the header says before they look at what follows, so 11 bytes declaring a 2 GB string end a JVM.
 * Every MessagePack the project reads from outside (clients' packets, Node peers' and emitters' messages on Redis and
 * PostgreSQL, the bus between servers) is walked here first, headers only, and refused unless each declared length
 * fits in the bytes left and the nesting stays within Jackson's own depth limit. A value that passes allocates at
 * most in proportion to its own size, which the transports already bound.
 */
public final class BoundedMessagePack {

    /** The deepest nesting accepted: the same bound Jackson keeps for JSON text. */
    static final int MAX_DEPTH = StreamReadConstraints.DEFAULT_MAX_DEPTH;

    private BoundedMessagePack() {
    }

    /** A factory for {@code ObjectMapper}s that check every byte array before parsing it. */
    public static MessagePackFactory factory() {
        return new CheckingFactory();
    }

    /** Checks the first value of {@code data} (what a Jackson parser reads). */
    public static void checkValue(byte[] data, int offset, int length) throws JsonParseException {
        check(data, offset, length, false);
    }

    /** Checks every value of {@code data}, up to its end (a frame written as a sequence of values). */
    public static void checkAll(byte[] data) throws JsonParseException {
        check(data, 0, data.length, true);
    }

    private static void check(byte[] data, int offset, int length, boolean all) throws JsonParseException {
        // values still to read at each open level: an array of n adds n, a map of n adds 2n
        long[] pending = new long[8];
        int depth = 0;
        pending[0] = 1;
        try (MessageUnpacker u = MessagePack.newDefaultUnpacker(data, offset, length)) {
            while (true) {
                while (depth > 0 && pending[depth] == 0) {
                    depth--;
                }
                if (pending[depth] == 0) {
                    if (!all || !u.hasNext()) {
                        return;
                    }
                    pending[0] = 1;
                }
                pending[depth]--;
                MessageFormat format = u.getNextFormat();
                long count;
                switch (format.getValueType()) {
                    case STRING -> skip(u, u.unpackRawStringHeader(), "string", length);
                    case BINARY -> skip(u, u.unpackBinaryHeader(), "binary", length);
                    case EXTENSION -> {
                        ExtensionTypeHeader header = u.unpackExtensionTypeHeader();
                        skip(u, header.getLength(), "extension", length);
                    }
                    case ARRAY -> {
                        count = u.unpackArrayHeader();
                        open(count, length - u.getTotalReadBytes(), "array", depth);
                        pending = push(pending, ++depth, count);
                    }
                    case MAP -> {
                        count = u.unpackMapHeader() * 2L;
                        open(count, length - u.getTotalReadBytes(), "map", depth);
                        pending = push(pending, ++depth, count);
                    }
                    default -> {
                        if (format == MessageFormat.NEVER_USED) {
                            throw malformed("the reserved format byte 0xc1");
                        }
                        u.skipValue(); // nil, boolean, integer, float: fixed sizes
                    }
                }
            }
        } catch (JsonParseException e) {
            throw e;
        } catch (IOException | MessagePackException e) {
            throw malformed(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        }
    }

    private static void skip(MessageUnpacker u, int declared, String what, int length) throws IOException {
        long left = length - u.getTotalReadBytes();
        if (declared > left) {
            throw malformed("a " + what + " of " + declared + " bytes declared with " + left + " left");
        }
        u.readPayloadAsReference(declared); // a view of the input: nothing copied
    }

    private static long[] push(long[] pending, int depth, long count) {
        long[] p = depth < pending.length ? pending : Arrays.copyOf(pending, pending.length * 2);
        p[depth] = count;
        return p;
    }

    private static void open(long elements, long left, String what, int depth) throws JsonParseException {
        // each value takes at least one byte
        if (elements > left) {
            throw malformed("an " + what + " of " + elements + " values declared with " + left + " bytes left");
        }
        if (depth + 1 > MAX_DEPTH) {
            throw malformed("nested deeper than " + MAX_DEPTH);
        }
    }

    private static JsonParseException malformed(String what) {
        return new JsonParseException((JsonParser) null, "invalid MessagePack: " + what);
    }

    /** Jackson's factory with the check before every parse. */
    private static final class CheckingFactory extends MessagePackFactory {

        private static final long serialVersionUID = 1L;

        @Override
        protected JsonParser _createParser(byte[] data, int offset, int len, IOContext ctxt) throws IOException {
            checkValue(data, offset, len);
            return super._createParser(data, offset, len, ctxt);
        }

        @Override
        protected org.msgpack.jackson.dataformat.MessagePackParser _createParser(InputStream in, IOContext ctxt)
                throws IOException {
            throw new UnsupportedOperationException("MessagePack from peers is read from byte arrays, checked first");
        }

        @Override
        public MessagePackFactory copy() {
            return new CheckingFactory();
        }

        @Override
        public JsonParser createParser(InputStream in) throws IOException {
            byte[] data = in.readAllBytes();
            return createParser(data);
        }
    }
}
