package dev.qsio.runtime.adapter;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessageUnpacker;

import io.vertx.core.buffer.Buffer;

/**
 * The encoding of cluster adapter messages on the bus: msgpack, a header (type, origin member, origin worker,
 * namespace) followed by the fields of the type.
 */
final class AdapterWire {

    private AdapterWire() {
    }

    /** Writes a message. */
    static final class Writer {
        final MessageBufferPacker packer = MessagePack.newDefaultBufferPacker();

        Writer(AdapterMessage type, String origin, int originWorker, String namespace) {
            try {
                packer.packInt(type.ordinal()).packString(origin).packInt(originWorker).packString(namespace);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        Writer string(String s) {
            try {
                if (s == null) {
                    packer.packNil();
                } else {
                    packer.packString(s);
                }
                return this;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        Writer strings(Set<String> set) {
            try {
                packer.packArrayHeader(set.size());
                for (String s : set) {
                    packer.packString(s);
                }
                return this;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        Writer binaries(List<byte[]> list) {
            try {
                packer.packArrayHeader(list.size());
                for (byte[] b : list) {
                    packer.packBinaryHeader(b.length).writePayload(b);
                }
                return this;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        Writer bool(boolean b) {
            try {
                packer.packBoolean(b);
                return this;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        Writer number(long n) {
            try {
                packer.packLong(n);
                return this;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        Buffer toBuffer() {
            return Buffer.buffer(packer.toByteArray());
        }
    }

    /** Reads a message. */
    static final class Reader {
        final MessageUnpacker unpacker;
        final AdapterMessage type;
        final String origin;
        final int originWorker;
        final String namespace;

        Reader(Buffer payload) throws IOException {
            unpacker = MessagePack.newDefaultUnpacker(payload.getBytes());
            int t = unpacker.unpackInt();
            if (t < 0 || t >= AdapterMessage.ALL.length) {
                throw new IOException("unknown adapter message type " + t);
            }
            type = AdapterMessage.ALL[t];
            origin = unpacker.unpackString();
            originWorker = unpacker.unpackInt();
            namespace = unpacker.unpackString();
        }

        String string() throws IOException {
            if (unpacker.tryUnpackNil()) {
                return null;
            }
            return unpacker.unpackString();
        }

        Set<String> strings() throws IOException {
            int n = unpacker.unpackArrayHeader();
            Set<String> set = new LinkedHashSet<>(n);
            for (int i = 0; i < n; i++) {
                set.add(unpacker.unpackString());
            }
            return set;
        }

        List<byte[]> binaries() throws IOException {
            int n = unpacker.unpackArrayHeader();
            List<byte[]> list = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                list.add(unpacker.readPayload(unpacker.unpackBinaryHeader()));
            }
            return list;
        }

        boolean bool() throws IOException {
            return unpacker.unpackBoolean();
        }

        long number() throws IOException {
            return unpacker.unpackLong();
        }
    }
}
