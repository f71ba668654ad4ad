package dev.qsio.runtime.admin;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import at.favre.lib.crypto.bcrypt.BCrypt;

/**
 * The Admin UI's basic authentication: a user name and a bcrypt hash, as Node's, and the session ids the UI presents
 * instead on its next connections. Node keeps sessions in a store (one process's memory, or Redis); here a session id
 * is signed, so that every worker and host accepts it without a shared store: {@code <expiry>.<nonce>.<HMAC>}, the
 * HMAC-SHA256 keyed by the configured hash. Changing the password ends every session; a session lasts a day, as with
 * Node's Redis store.
 */
final class AdminSessions {

    static final long LIFETIME_SECONDS = 86_400;
    private static final Base64.Encoder BASE64 = Base64.getUrlEncoder().withoutPadding();
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String username;
    private final byte[] hash;
    private final SecretKeySpec key;

    /** The longest password checked, in UTF-8 bytes: bcrypt's key is 72 bytes with its terminating zero. */
    static final int MAX_PASSWORD_BYTES = 71;

    /** Fails with a message naming the key when the hash is not a bcrypt hash. */
    /** Fails when {@code bcryptHash} is not a bcrypt hash (the password itself, most likely). */
    static void checkHash(String bcryptHash) {
        if (!bcryptHash.matches("\\$2[aby]\\$\\d\\d\\$[./A-Za-z0-9]{53}")) {
            throw new IllegalArgumentException("quarkus.socketio.admin-ui.password must be a bcrypt hash ($2a$, $2b$ or "
                    + "$2y$ followed by the cost and 53 characters, as bcryptjs or htpasswd -B make them), not the "
                    + "password itself");
        }
    }

    AdminSessions(String username, String bcryptHash) {
        this.username = username;
        this.hash = bcryptHash.getBytes(StandardCharsets.UTF_8);
        checkHash(bcryptHash);
        try {
            byte[] material = MessageDigest.getInstance("SHA-256")
                    .digest(("qsio-admin-ui-session\0" + bcryptHash).getBytes(StandardCharsets.UTF_8));
            this.key = new SecretKeySpec(material, "HmacSHA256");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether the credentials match: bcrypt, so it takes tens of milliseconds; not on an event loop. */
    boolean matches(String user, String password) {
        if (user == null || password == null) {
            return false;
        }
        byte[] bytes = password.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > MAX_PASSWORD_BYTES) {
            // bcrypt reads at most 72 bytes of key (71 and the terminating zero, as this library hashes): a longer
            // password is refused as any wrong one, without a check that would ignore its end
            return false;
        }
        // the hash is checked whatever the user name, so that a wrong name takes as long as a wrong password
        boolean passwordMatches = BCrypt.verifyer().verify(bytes, hash).verified;
        return passwordMatches && MessageDigest.isEqual(user.getBytes(StandardCharsets.UTF_8),
                username.getBytes(StandardCharsets.UTF_8));
    }

    /** A new session id, valid on every server with the same hash until it expires. */
    String newSession(long nowMillis) {
        byte[] nonce = new byte[12];
        RANDOM.nextBytes(nonce);
        String body = Long.toString(nowMillis / 1000 + LIFETIME_SECONDS) + "." + HexFormat.of().formatHex(nonce);
        return body + "." + sign(body);
    }

    /** Whether a session id was signed with this hash and has not expired. */
    boolean valid(String session, long nowMillis) {
        if (session == null) {
            return false;
        }
        int last = session.lastIndexOf('.');
        int first = session.indexOf('.');
        if (first <= 0 || last == first) {
            return false;
        }
        String body = session.substring(0, last);
        if (!MessageDigest.isEqual(sign(body).getBytes(StandardCharsets.US_ASCII),
                session.substring(last + 1).getBytes(StandardCharsets.US_ASCII))) {
            return false;
        }
        try {
            return Long.parseLong(session.substring(0, first)) * 1000 > nowMillis;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private String sign(String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return BASE64.encodeToString(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
