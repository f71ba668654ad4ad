package dev.qsio.test.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.qsio.testkit.ClientSocket;
import dev.qsio.testkit.ConnectErrorException;
import dev.qsio.testkit.SocketIoConnector;
import dev.qsio.testkit.Transport;
import io.quarkus.test.QuarkusUnitTest;

/** An address past its limit logs in again once the window of its failures has ended. */
class AdminUiLoginWindowTest {

    @RegisterExtension
    static final QuarkusUnitTest test = new QuarkusUnitTest()
            .withApplicationRoot(root -> root.addClasses(Chat.class))
            .overrideConfigKey("quarkus.socketio.admin-ui.enabled", "true")
            .overrideConfigKey("quarkus.socketio.admin-ui.username", "admin")
            .overrideConfigKey("quarkus.socketio.admin-ui.password", Chat.HASH_2A)
            .overrideConfigKey("quarkus.socketio.admin-ui.login.max-failures", "1")
            .overrideConfigKey("quarkus.socketio.admin-ui.login.failure-window", "2S");

    final SocketIoConnector admin = SocketIoConnector.create().namespace("/admin").transports(Transport.WEBSOCKET);

    @Test
    void theCorrectPasswordWorksAfterTheWindow() {
        assertThat(admin.auth(Map.of("username", "admin", "password", "wrong")).connectAndAwaitRefusal().getMessage())
                .isEqualTo("invalid credentials");
        SocketIoConnector right = admin.auth(Map.of("username", "admin", "password", "s3cret"));
        ConnectErrorException refused = right.connectAndAwaitRefusal();
        assertThat(refused.getMessage()).isIn("too many failed logins, retry in 1 s",
                "too many failed logins, retry in 2 s");
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                .ignoreException(ConnectErrorException.class).untilAsserted(() -> {
                    try (ClientSocket ui = right.connectAndAwait()) {
                        ui.awaitEvent("config");
                    }
                });
    }
}
