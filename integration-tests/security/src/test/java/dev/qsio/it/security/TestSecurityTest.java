package dev.qsio.it.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URL;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.security.TestSecurity;
import io.socket.client.Socket;

/** {@code @TestSecurity} from {@code quarkus-test-security} gives sockets its identity, as it does HTTP requests. */
@QuarkusTest
class TestSecurityTest {

    @TestHTTPResource("/admins")
    URL admins;

    @Test
    @TestSecurity(user = "tess", roles = "admin")
    void theTestIdentityConnects() throws Exception {
        try (SecureClients clients = new SecureClients()) {
            Socket socket = clients.open(admins.toString(), new String[] { "websocket" }, null, null);
            assertThat(SecureClients.connect(socket)).isNull();
            assertThat(SecureClients.call(socket, "whoami")).isEqualTo("tess");
        }
    }

    @Test
    @TestSecurity(user = "tom", roles = "user")
    void aTestIdentityWithoutTheRoleIsRefused() throws Exception {
        try (SecureClients clients = new SecureClients()) {
            Socket socket = clients.open(admins.toString(), new String[] { "polling" }, null, null);
            assertThat(SecureClients.connect(socket)).isEqualTo("Forbidden");
        }
    }
}
