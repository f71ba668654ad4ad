package dev.qsio.runtime.webtransport;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.function.BiConsumer;

import io.netty.buffer.ByteBuf;

/**
 * The field sections of a WebTransport session's CONNECT request and its answer, in QPACK (RFC 9204) with the dynamic
 * table off, as this server's SETTINGS announce: a client then refers to the static table and writes literals, which
 * Netty's QPACK decoder reads. Netty's HTTP/3 codec does not pass a CONNECT with {@code :protocol} (RFC 9220) to the
 * application, so its decoder is called here directly; the answer is one of a few fixed field sections.
 */
final class Qpack {

    private static final Constructor<?> NEW_DECODER;
    private static final Method DECODE;

    static {
        try {
            Class<?> decoder = Class.forName("io.netty.incubator.codec.http3.QpackDecoder");
            Class<?> attributes = Class.forName("io.netty.incubator.codec.http3.QpackAttributes");
            NEW_DECODER = decoder.getDeclaredConstructor(long.class, int.class);
            NEW_DECODER.setAccessible(true);
            DECODE = decoder.getMethod("decode", attributes, long.class, ByteBuf.class, int.class, BiConsumer.class,
                    Runnable.class);
            DECODE.setAccessible(true);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private Qpack() {
    }

    /** A field section that could not be read. */
    static final class MalformedFields extends Exception {
        MalformedFields(String message) {
            super(message, null, false, false);
        }
    }

    /** Reads the field section of {@code length} bytes at {@code in}'s reader index, field by field into {@code sink}. */
    static void decode(long streamId, ByteBuf in, int length, BiConsumer<CharSequence, CharSequence> sink)
            throws MalformedFields {
        try {
            Object decoder = NEW_DECODER.newInstance(0L, 0);
            if (!(Boolean) DECODE.invoke(decoder, null, streamId, in, length, sink, (Runnable) () -> {
            })) {
                throw new MalformedFields("a field section refers to the dynamic table, which is off");
            }
        } catch (InvocationTargetException e) {
            throw new MalformedFields("a malformed field section: " + e.getCause());
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new MalformedFields("a malformed field section: " + e);
        }
    }

    /** The answer to a CONNECT: a status, and for 200 the header of the WebTransport draft that Chromium asks for. */
    static byte[] status(int status) {
        byte[] name = "sec-webtransport-http3-draft".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] value = "draft02".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        // the section's prefix: required insert count 0, base 0
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(48);
        out.write(0);
        out.write(0);
        // an indexed field line of the static table (11xxxxxx, 6-bit index)
        int index = switch (status) {
            case 200 -> 25;
            case 404 -> 27;
            case 503 -> 28;
            case 400 -> 67;
            case 403 -> 68;
            default -> 71; // 500
        };
        if (index < 63) {
            out.write(0xC0 | index);
        } else {
            out.write(0xFF);
            out.write(index - 63);
        }
        if (status == 200) {
            // a literal field line with a literal name (001 N H, 3-bit length), then its value (H, 7-bit length)
            out.write(0x20 | 0x07);
            out.write(name.length - 7);
            out.write(name, 0, name.length);
            out.write(value.length);
            out.write(value, 0, value.length);
        }
        return out.toByteArray();
    }
}
