package dev.qsio.runtime.engine;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;

/**
 * Session and socket ids: 20 URL-safe characters, as the reference server makes them. Plain ids are 15 random bytes;
 * tagged ids are 12 random bytes (96 bits, still beyond guessing) followed by a 24-bit tag that the cluster uses to
 * name the process that owns a session, so that any worker can tell where a session lives without asking.
 */
public final class Ids {

    private static final SecureRandom RANDOM = new SecureRandom();
    /**
     * Random bytes drawn from {@link #RANDOM} a block at a time, per thread: one draw serves 64 ids. Each draw is a
     * synchronized read of the system's source, which was 1.6% of a handshake's samples when made per id.
     */
    private static final ThreadLocal<Pool> POOL = ThreadLocal.withInitial(Pool::new);
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

    /** The largest tag: 24 bits. */
    public static final int MAX_TAG = (1 << 24) - 1;

    private Ids() {
    }

    public static String next() {
        byte[] bytes = new byte[15];
        POOL.get().fill(bytes);
        return ENCODER.encodeToString(bytes);
    }

    /** An id whose last 4 characters carry {@code tag} (0 to {@link #MAX_TAG}). */
    public static String tagged(int tag) {
        if (tag < 0 || tag > MAX_TAG) {
            throw new IllegalArgumentException("a tag has 24 bits, got " + tag);
        }
        byte[] bytes = new byte[15];
        POOL.get().fill(bytes);
        bytes[12] = (byte) (tag >>> 16);
        bytes[13] = (byte) (tag >>> 8);
        bytes[14] = (byte) tag;
        return ENCODER.encodeToString(bytes);
    }

    /** The tag of an id made by {@link #tagged(int)}, or -1 when the id is not 20 URL-safe characters. */
    public static int tagOf(String id) {
        if (id == null || id.length() != 20) {
            return -1;
        }
        try {
            // the last 4 characters are the last 3 bytes exactly
            byte[] tail = DECODER.decode(id.substring(16));
            return (tail[0] & 0xff) << 16 | (tail[1] & 0xff) << 8 | (tail[2] & 0xff);
        } catch (IllegalArgumentException e) {
            return -1;
        }
    }

    /** A thread's block of random bytes; each byte is handed out once, then wiped. */
    private static final class Pool {
        private final byte[] block = new byte[960];
        private int next = block.length;

        void fill(byte[] into) {
            if (next + into.length > block.length) {
                RANDOM.nextBytes(block);
                next = 0;
            }
            System.arraycopy(block, next, into, 0, into.length);
            Arrays.fill(block, next, next + into.length, (byte) 0);
            next += into.length;
        }
    }
}
