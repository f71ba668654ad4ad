package dev.qsio.runtime.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * An upgrade of a UI socket's connection between its login and the connect observer (a polling client upgrades while
 * the password is checked) leaves the login's session in the socket's data, for the connect observer to send: it
 * replaced it before, and the UI connected without a session id.
 */
class AdminUiUpgradeTest {

    @Test
    void anUpgradeBeforeTheConnectObserverKeepsTheLoginsSession() {
        Map<String, Object> login = Map.of("session", "s3ss10n");
        assertThat(AdminUi.afterUpgrade(login, "websocket")).as("the data after the upgrade").isNull();
    }

    @Test
    void anUpgradeOfAConnectedSocketRecordsItsTransportAndKeepsItsConnection() {
        Map<String, Object> connected = SocketView.adminData("conn-1", "polling");
        Map<String, Object> after = AdminUi.afterUpgrade(connected, "websocket");
        assertThat(after).isEqualTo(SocketView.adminData("conn-1", "websocket"));
    }
}
