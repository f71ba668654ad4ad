package dev.qsio.it.security;

import java.security.PrivateKey;
import java.time.Instant;
import java.util.Set;

import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.util.KeyUtils;

/** Real signed JWTs for the tests: the application's key, or a forger's; right or wrong claims. */
final class Tokens {

    static final String ISSUER = "https://qsio.dev/issuer";
    static final String AUDIENCE = "qsio-tests";

    private Tokens() {
    }

    static String valid(String user, String... roles) {
        return token(user, Set.of(roles), ISSUER, AUDIENCE, Instant.now().plusSeconds(600), "privateKey.pem");
    }

    static String expiringIn(long seconds, String user, String... roles) {
        return token(user, Set.of(roles), ISSUER, AUDIENCE, Instant.now().plusSeconds(seconds), "privateKey.pem");
    }

    static String expired(String user) {
        return token(user, Set.of("user"), ISSUER, AUDIENCE, Instant.now().minusSeconds(3600), "privateKey.pem");
    }

    static String forged(String user) {
        return token(user, Set.of("admin"), ISSUER, AUDIENCE, Instant.now().plusSeconds(600), "forgerKey.pem");
    }

    static String wrongIssuer(String user) {
        return token(user, Set.of("user"), "https://elsewhere.example/issuer", AUDIENCE, Instant.now().plusSeconds(600),
                "privateKey.pem");
    }

    static String otherAudience(String user) {
        return token(user, Set.of("user"), ISSUER, "another-service", Instant.now().plusSeconds(600), "privateKey.pem");
    }

    private static String token(String user, Set<String> roles, String issuer, String audience, Instant expires,
            String key) {
        try {
            PrivateKey privateKey = KeyUtils.readPrivateKey(key);
            return Jwt.issuer(issuer).upn(user).subject(user).groups(roles).audience(audience)
                    .issuedAt(Instant.now().minusSeconds(5)).expiresAt(expires).sign(privateKey);
        } catch (Exception e) {
            throw new IllegalStateException("cannot sign a test token", e);
        }
    }
}
