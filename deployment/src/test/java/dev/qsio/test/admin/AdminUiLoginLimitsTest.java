package dev.qsio.test.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.qsio.runtime.admin.AdminLoginFigure;
import dev.qsio.runtime.admin.AdminUi;
import dev.qsio.runtime.figures.Counts;
import dev.qsio.testkit.ClientSocket;
import dev.qsio.testkit.ConnectErrorException;
import dev.qsio.testkit.SocketIoConnector;
import dev.qsio.testkit.Transport;
import io.quarkus.arc.Arc;
import io.quarkus.test.QuarkusUnitTest;

/**
 * The failed logins of an address are limited: past the limit its logins are refused at once, without a password
 * check, while other addresses log in; within the limit nothing changes, and a successful login does not count. The
 * addresses are those the proxy names ({@code X-Forwarded-For}, trusted here), one per test.
 */
class AdminUiLoginLimitsTest {

    @RegisterExtension
    static final QuarkusUnitTest test = new QuarkusUnitTest()
            .withApplicationRoot(root -> root.addClasses(Chat.class))
            .overrideConfigKey("quarkus.http.proxy.proxy-address-forwarding", "true")
            .overrideConfigKey("quarkus.http.proxy.allow-x-forwarded", "true")
            .overrideConfigKey("quarkus.socketio.admin-ui.enabled", "true")
            .overrideConfigKey("quarkus.socketio.admin-ui.username", "admin")
            .overrideConfigKey("quarkus.socketio.admin-ui.password", Chat.HASH_2A)
            .overrideConfigKey("quarkus.socketio.admin-ui.login.max-failures", "3")
            .overrideConfigKey("quarkus.socketio.admin-ui.login.failure-window", "10M");

    static SocketIoConnector from(String address) {
        return SocketIoConnector.create().namespace("/admin").transports(Transport.WEBSOCKET)
                .header("x-forwarded-for", address);
    }

    static ConnectErrorException wrong(String address) {
        return from(address).auth(Map.of("username", "admin", "password", "wrong")).connectAndAwaitRefusal();
    }

    static SocketIoConnector right(String address) {
        return from(address).auth(Map.of("username", "admin", "password", "s3cret"));
    }

    static Counts<AdminLoginFigure> figures() {
        return Arc.container().instance(AdminUi.class).get().loginFigures();
    }

    @Test
    void pastTheLimitAnAddressIsRefusedWithoutACheck() {
        String address = "198.51.100.1";
        for (int i = 0; i < 3; i++) {
            assertThat(wrong(address).getMessage()).isEqualTo("invalid credentials");
        }
        Counts<AdminLoginFigure> before = figures();
        ConnectErrorException refused = right(address).connectAndAwaitRefusal();
        assertThat(refused.getMessage()).startsWith("too many failed logins, retry in ").endsWith(" s");
        assertThat(refused.data().get("data").get("reason").asText()).isEqualTo("rate-limited");
        assertThat(refused.data().get("data").get("retryAfter").asLong()).isBetween(1L, 600L);
        assertThat(wrong(address).getMessage()).startsWith("too many failed logins");
        Counts<AdminLoginFigure> after = figures();
        assertThat(after.get(AdminLoginFigure.CHECKED)).as("no password checked")
                .isEqualTo(before.get(AdminLoginFigure.CHECKED));
        assertThat(after.get(AdminLoginFigure.REFUSED_RATE_LIMITED))
                .isEqualTo(before.get(AdminLoginFigure.REFUSED_RATE_LIMITED) + 2);

        // another address is not limited
        try (ClientSocket ui = right("198.51.100.2").connectAndAwait()) {
            ui.awaitEvent("config");
        }
    }

    @Test
    void withinTheLimitNothingChanges() {
        String address = "198.51.100.3";
        Counts<AdminLoginFigure> before = figures();
        assertThat(wrong(address).getMessage()).isEqualTo("invalid credentials");
        assertThat(wrong(address).getMessage()).isEqualTo("invalid credentials");
        for (int i = 0; i < 4; i++) {
            try (ClientSocket ui = right(address).connectAndAwait()) {
                ui.awaitEvent("session");
            }
        }
        // the successful logins did not count: a third failure is still checked
        assertThat(wrong(address).getMessage()).isEqualTo("invalid credentials");
        Counts<AdminLoginFigure> after = figures();
        assertThat(after.get(AdminLoginFigure.CHECKED) - before.get(AdminLoginFigure.CHECKED)).isEqualTo(7);
        assertThat(after.get(AdminLoginFigure.REFUSED_INVALID_CREDENTIALS)
                - before.get(AdminLoginFigure.REFUSED_INVALID_CREDENTIALS)).isEqualTo(3);
        // and the limit is reached now
        assertThat(right(address).connectAndAwaitRefusal().getMessage()).startsWith("too many failed logins");
    }
}
