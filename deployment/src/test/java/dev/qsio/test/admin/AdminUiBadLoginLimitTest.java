package dev.qsio.test.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.qsio.test.Failures;
import io.quarkus.test.QuarkusUnitTest;

/** A bad Admin UI setting fails startup with a message naming the key. */
class AdminUiBadLoginLimitTest {

    @RegisterExtension
    static final QuarkusUnitTest test = new QuarkusUnitTest()
            .withApplicationRoot(root -> root.addClasses(Chat.class, Failures.class))
            .overrideConfigKey("quarkus.socketio.admin-ui.enabled", "true")
            .overrideConfigKey("quarkus.socketio.admin-ui.username", "admin")
            .overrideConfigKey("quarkus.socketio.admin-ui.password", Chat.HASH_2A)
            .overrideConfigKey("quarkus.socketio.admin-ui.login.max-failures", "0")
            .assertException(t -> assertThat(Failures.rootCause(t).getMessage())
                    .contains("quarkus.socketio.admin-ui.login.max-failures", "1 or more", "got 0"));

    @Test
    void startupFails() {
        fail("startup should have failed");
    }
}
