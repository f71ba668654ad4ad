package dev.qsio.it.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URL;

import org.junit.jupiter.api.Test;

import dev.qsio.testkit.Transport;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.security.TestSecurity;

/** {@code @TestSecurity} from {@code quarkus-test-security} gives sockets its identity, as it does HTTP requests. */
@QuarkusTest
class TestSecurityTest {

    @TestHTTPResource("/admins")
    URL admins;

    @Test
    @TestSecurity(user = "tess", roles = "admin")
    void theTestIdentityConnects() {
        try (SecureClients clients = new SecureClients()) {
            SecureClients.Client socket = clients.open(admins.toString(), new Transport[] { Transport.WEBSOCKET }, null, null);
            assertThat(SecureClients.connect(socket)).isNull();
            assertThat(SecureClients.call(socket, "whoami").asText()).isEqualTo("tess");
        }
    }

    @Test
    @TestSecurity(user = "tom", roles = "user")
    void aTestIdentityWithoutTheRoleIsRefused() {
        try (SecureClients clients = new SecureClients()) {
            SecureClients.Client socket = clients.open(admins.toString(), new Transport[] { Transport.POLLING }, null, null);
            assertThat(SecureClients.connect(socket)).isEqualTo("Forbidden");
        }
    }
}
