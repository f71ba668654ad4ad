package dev.qsio.test.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.qsio.OnConnect;
import dev.qsio.SocketIo;
import dev.qsio.SocketIoSocket;
import dev.qsio.test.Failures;
import io.quarkus.test.QuarkusUnitTest;

/**
 * The Admin UI on a namespace the application declares (its default, /admin, is a common name) fails startup naming
 * the key: sharing it, the UI's logins met the application's middleware and were refused by it, with nothing said.
 */
class AdminUiNamespaceOfTheApplicationTest {

    @SocketIo("/admin")
    public static class ApplicationAdmin {

        @OnConnect
        void connected(SocketIoSocket socket) {
        }
    }

    @RegisterExtension
    static final QuarkusUnitTest test = new QuarkusUnitTest()
            .withApplicationRoot(root -> root.addClasses(Chat.class, ApplicationAdmin.class, Failures.class))
            .overrideConfigKey("quarkus.socketio.admin-ui.enabled", "true")
            .overrideConfigKey("quarkus.socketio.admin-ui.username", "admin")
            .overrideConfigKey("quarkus.socketio.admin-ui.password", Chat.HASH_2A)
            .assertException(t -> assertThat(Failures.rootCause(t).getMessage())
                    .contains("quarkus.socketio.admin-ui.namespace is /admin", "declares handlers for too"));

    @Test
    void startupFails() {
        fail("startup should have failed");
    }
}
