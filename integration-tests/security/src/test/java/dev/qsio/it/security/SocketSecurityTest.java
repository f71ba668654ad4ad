package dev.qsio.it.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.qsio.it.support.ClientDriver;
import dev.qsio.testkit.Transport;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Quarkus Security on sockets with {@code quarkus-smallrye-jwt} and real signed tokens: the identity of the
 * handshake's bearer header or of a token in the CONNECT's auth, on every transport, with the Java and Node clients;
 * namespace and event rules; the identity as a parameter and injected; bad credentials refused readably, without the
 * token in the log and without disturbing other sockets; an expiring token ending the connection.
 */
@QuarkusTest
class SocketSecurityTest {

    static final List<String[]> TRANSPORTS = List.of(new String[] { "polling" }, new String[] { "websocket" },
            new String[] { "polling", "websocket" });

    /** The Node client's transport names as the test kit's. */
    static Transport[] javaTransports(String[] names) {
        return Arrays.stream(names).map(n -> Transport.valueOf(n.toUpperCase(Locale.ROOT))).toArray(Transport[]::new);
    }

    @TestHTTPResource("/")
    URL root;

    String url(String namespace) {
        String base = root.toString();
        return (base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + namespace;
    }

    @Test
    void theHandshakesBearerTokenIsTheSocketsIdentityOnEveryTransport() throws Exception {
        String alice = Tokens.valid("alice", "user");
        try (SecureClients clients = new SecureClients()) {
            for (String[] names : TRANSPORTS) {
                Transport[] transports = javaTransports(names);
                SecureClients.Client members = clients.open(url("/members"), transports, alice, null);
                assertThat(SecureClients.connect(members)).isNull();
                assertThat(members.socket.awaitEvent("hello").arg().asText()).isEqualTo("alice");
                JsonNode roles = SecureClients.call(members, "roles");
                assertThat(roles.size()).isEqualTo(1);
                assertThat(roles.get(0).asText()).isEqualTo("user");
                // a method's own @PermitAll replaces its class's @Authenticated
                assertThat(SecureClients.call(members, "ping").asText()).isEqualTo("pong");

                SecureClients.Client main = clients.open(url("/"), transports, alice, null);
                assertThat(SecureClients.connect(main)).isNull();
                assertThat(SecureClients.call(main, "whoami").asText()).isEqualTo("alice");
                assertThat(SecureClients.call(main, "injected").asText()).isEqualTo("alice");
                assertThat(SecureClients.call(main, "socket-identity").asText()).isEqualTo("alice");
                assertThat(SecureClients.call(main, "members-only").asText()).isEqualTo("welcome, member");
            }
        }
    }

    @Test
    void namespacesRefuseWhomTheirRuleDoesNotAdmit() throws Exception {
        try (SecureClients clients = new SecureClients()) {
            SecureClients.Client anonymous = clients.open(url("/members"), new Transport[] { Transport.WEBSOCKET }, null, null);
            assertThat(SecureClients.connect(anonymous)).isEqualTo("Unauthorized");
            SecureClients.Client user = clients.open(url("/admins"), new Transport[] { Transport.POLLING }, Tokens.valid("bob", "user"), null);
            assertThat(SecureClients.connect(user)).isEqualTo("Forbidden");
            SecureClients.Client admin = clients.open(url("/admins"), new Transport[] { Transport.POLLING, Transport.WEBSOCKET }, null,
                    Tokens.valid("carol", "admin"));
            assertThat(SecureClients.connect(admin)).isNull();
            assertThat(SecureClients.call(admin, "whoami").asText()).isEqualTo("carol");
        }
    }

    @Test
    void eventsTheSocketMayNotSendAreRefusedAndTheSocketStays() throws Exception {
        try (SecureClients clients = new SecureClients()) {
            SecureClients.Client anonymous = clients.open(url("/"), new Transport[] { Transport.WEBSOCKET }, null, null);
            assertThat(SecureClients.connect(anonymous)).isNull();
            assertThat(error(SecureClients.call(anonymous, "members-only")).asText()).isEqualTo("Unauthorized");
            assertThat(error(SecureClients.call(anonymous, "admin-only")).asText()).isEqualTo("Unauthorized");
            assertThat(SecureClients.call(anonymous, "whoami").asText()).isEqualTo("anonymous");
            assertThat(SecureClients.call(anonymous, "injected").asText()).isEqualTo("anonymous");

            SecureClients.Client user = clients.open(url("/"), new Transport[] { Transport.POLLING }, null, Tokens.valid("dave", "user"));
            assertThat(SecureClients.connect(user)).isNull();
            assertThat(error(SecureClients.call(user, "admin-only")).asText()).isEqualTo("Forbidden");
            assertThat(error(SecureClients.call(user, "report")).asText()).isEqualTo("Forbidden");
            assertThat(SecureClients.call(user, "whoami").asText()).isEqualTo("dave");

            SecureClients.Client admin = clients.open(url("/"), new Transport[] { Transport.POLLING, Transport.WEBSOCKET }, Tokens.valid("erin", "admin"),
                    null);
            assertThat(SecureClients.connect(admin)).isNull();
            assertThat(SecureClients.call(admin, "admin-only").asText()).isEqualTo("welcome, admin");

            // a permission the application grants to auditors (a SecurityIdentityAugmentor)
            SecureClients.Client auditor = clients.open(url("/"), new Transport[] { Transport.WEBSOCKET }, null, Tokens.valid("fay", "auditor"));
            assertThat(SecureClients.connect(auditor)).isNull();
            assertThat(SecureClients.call(auditor, "report").asText()).isEqualTo("the report");
        }
    }

    static JsonNode error(JsonNode ack) {
        assertThat(ack.isObject()).as("an acknowledgement with an error: %s", ack).isTrue();
        return ack.get("error");
    }

    @Test
    void badCredentialsAreRefusedReadablyUnloggedAndDisturbNobody() throws Exception {
        Map<String, String> bad = new HashMap<>();
        bad.put("forged signature", Tokens.forged("mallory"));
        bad.put("expired", Tokens.expired("mallory"));
        bad.put("wrong issuer", Tokens.wrongIssuer("mallory"));
        bad.put("another audience", Tokens.otherAudience("mallory"));
        bad.put("not a token", "not-a-jwt-at-all");
        try (SecureClients clients = new SecureClients()) {
            SecureClients.Client bystander = clients.open(url("/members"), new Transport[] { Transport.WEBSOCKET }, null,
                    Tokens.valid("grace", "user"));
            assertThat(SecureClients.connect(bystander)).isNull();
            for (Map.Entry<String, String> e : bad.entrySet()) {
                // in the auth payload: the namespace refuses it
                SecureClients.Client inAuth = clients.open(url("/members"), new Transport[] { Transport.WEBSOCKET }, null, e.getValue());
                assertThat(SecureClients.connect(inAuth)).as(e.getKey()).isEqualTo("Unauthorized");
                // as the handshake's header: the HTTP authentication refuses the handshake (401)
                SecureClients.Client inHeader = clients.open(url("/members"), new Transport[] { Transport.POLLING }, e.getValue(), null);
                assertThat(SecureClients.connect(inHeader)).as(e.getKey()).isNotNull();
                assertThat(SecureClients.call(bystander, "roles")).as("the bystander after " + e.getKey()).isNotNull();
            }
        }
        String log = Files.readString(Path.of("target/security-app.log"));
        assertThat(log).contains("was refused");
        for (Map.Entry<String, String> e : bad.entrySet()) {
            assertThat(log).as("the log holds the " + e.getKey() + " token").doesNotContain(e.getValue());
        }
    }

    @Test
    void aTokenInTheAuthPayloadWithTheNodeClient() {
        try (ClientDriver driver = ClientDriver.start()) {
            for (String[] transports : TRANSPORTS) {
                String id = "node-" + String.join("+", transports);
                driver.connect(id, url("/members"), Map.of("transports", List.of(transports), "reconnection", false,
                        "auth", Map.of("token", Tokens.valid("heidi", "user"))));
                driver.await(id, "connect");
                assertThat(driver.awaitEmit(id, "hello").path("args").get(0).asText()).isEqualTo("heidi");
            }
            driver.connect("node-anonymous", url("/members"), Map.of("reconnection", false));
            assertThat(driver.await("node-anonymous", "connect_error").path("message").asText()).isEqualTo("Unauthorized");
        }
    }

    @Test
    void aTokenInTheAuthIsVerifiedOffTheEventLoop() throws Exception {
        // a signature check costs milliseconds of CPU and an identity provider may wait on a remote server: on the
        // event loop it would hold up every other connection of that loop (a cold worker under load was seen blocked
        // 4 s by it)
        String name = "verifier-" + System.nanoTime();
        try (SecureClients clients = new SecureClients()) {
            for (String[] names : TRANSPORTS) {
                SecureClients.Client client = clients.open(url("/"), javaTransports(names), null, Tokens.valid(name, "user"));
                assertThat(SecureClients.connect(client)).isNull();
                assertThat(SecureClients.call(client, "whoami").asText()).isEqualTo(name);
                assertThat(SecureClients.call(client, "verified-on", name).asText()).as(String.join("+", names))
                        .isNotEqualTo("null").doesNotStartWith("event loop");
            }
        }
    }

    @Test
    void anExpiringTokenEndsTheConnectionAndTheClientMustComeBackWithAFreshOne() {
        try (ClientDriver driver = ClientDriver.start()) {
            // 10 s: the token must still be valid when the first connection is checked, and a busy machine (a CI run
            // with two modules at once, load average 10) took over 2 s to start the client and connect it (3 s of
            // validity, a second of which the token's whole-second exp can take, failed there)
            driver.connect("expiring", url("/members"), Map.of("transports", List.of("websocket"),
                    "reconnectionDelay", 100, "reconnectionDelayMax", 200,
                    "auth", Map.of("token", Tokens.expiringIn(10, "ivan", "user"))));
            driver.await("expiring", "connect");
            // at the token's exp the server closes the connection; the client reconnects with the same (now
            // expired) token and is refused
            JsonNode disconnect = driver.await(e -> "expiring".equals(e.path("id").asText())
                    && "disconnect".equals(e.path("event").asText()), Duration.ofSeconds(30));
            assertThat(disconnect.path("reason").asText()).isEqualTo("transport close");
            assertThat(driver.await("expiring", "connect_error").path("message").asText()).isEqualTo("Unauthorized");
        }
    }
}
