package dev.qsio.it.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URL;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.qsio.testkit.ConnectErrorException;
import dev.qsio.testkit.SocketIoConnector;
import dev.qsio.testkit.Transport;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * The Admin UI's namespace guarded by roles ({@code quarkus.socketio.admin-ui.roles-allowed}) rather than a username
 * and a bcrypt hash: the identity of the connection (a bearer token in a header, or in the CONNECT's auth) must have
 * one of the roles; anyone else, and any username and password, is refused as Node refuses wrong credentials.
 */
@QuarkusTest
@TestProfile(AdminUiRolesTest.AdminRole.class)
class AdminUiRolesTest {

    public static class AdminRole implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.socketio.admin-ui.enabled", "true",
                    "quarkus.socketio.admin-ui.roles-allowed", "admin,operator",
                    "quarkus.socketio.admin-ui.mode", "production");
        }
    }

    @TestHTTPResource("/")
    URL root;

    String admin() {
        return root.toString().replaceAll("/$", "") + "/admin";
    }

    @Test
    void anIdentityWithOneOfTheRolesIsLetIn() {
        try (SecureClients clients = new SecureClients()) {
            // a bearer token in the header, on polling then upgrade
            SecureClients.Client header = clients.open(admin(), new Transport[] { Transport.POLLING, Transport.WEBSOCKET },
                    Tokens.valid("alice", "admin"), null);
            assertThat(SecureClients.connect(header)).isNull();
            JsonNode config = header.socket.awaitEvent("config").arg();
            assertThat(config.get("supportedFeatures").toString()).contains("EMIT", "MDISCONNECT")
                    .doesNotContain("ALL_EVENTS");
            // the second role, the token in the CONNECT's auth (what a browser page can send), WebSocket only
            SecureClients.Client auth = clients.open(admin(), new Transport[] { Transport.WEBSOCKET }, null,
                    Tokens.valid("olga", "operator"));
            assertThat(SecureClients.connect(auth)).isNull();
            assertThat(auth.socket.awaitEvent("config").arg().has("supportedFeatures")).isTrue();
            // no session id is handed out: the identity is checked on every connection
            assertThat(auth.socket.events("session")).isEmpty();
        }
    }

    @Test
    void othersAreRefused() {
        try (SecureClients clients = new SecureClients()) {
            Transport[] websocket = { Transport.WEBSOCKET };
            assertThat(SecureClients.connect(clients.open(admin(), websocket, Tokens.valid("bob", "user"), null)))
                    .isEqualTo("invalid credentials");
            assertThat(SecureClients.connect(clients.open(admin(), websocket, null, null))).isEqualTo("invalid credentials");
            assertThat(SecureClients.connect(clients.open(admin(), websocket, null, Tokens.expired("carol"))))
                    .isEqualTo("Unauthorized");
            assertThat(SecureClients.connect(clients.open(admin(), websocket, null, Tokens.forged("mallory"))))
                    .isEqualTo("Unauthorized");
            // Node's username and password are not a way in when roles are configured
            try {
                SocketIoConnector.to(admin()).transports(websocket).timeout(SecureClients.TIMEOUT)
                        .auth(Map.of("username", "admin", "password", "admin")).connectAndAwait().close();
                throw new AssertionError("a username and password were let in");
            } catch (ConnectErrorException e) {
                assertThat(e.getMessage()).isEqualTo("invalid credentials");
            }
        }
        // the application's own namespaces are not guarded by the Admin UI's roles
        try (SecureClients clients = new SecureClients()) {
            SecureClients.Client lobby = clients.open(root.toString(), new Transport[] { Transport.WEBSOCKET }, null, null);
            assertThat(SecureClients.connect(lobby)).isNull();
        }
    }
}
