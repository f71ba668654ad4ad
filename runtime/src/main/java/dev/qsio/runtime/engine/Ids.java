package dev.qsio.runtime.engine;

import java.security.SecureRandom;
import java.util.Base64;

/** Session and socket ids: 20 URL-safe characters (15 random bytes), as the reference server makes them. */
public final class Ids {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();

    private Ids() {
    }

    public static String next() {
        byte[] bytes = new byte[15];
        RANDOM.nextBytes(bytes);
        return ENCODER.encodeToString(bytes);
    }
}
