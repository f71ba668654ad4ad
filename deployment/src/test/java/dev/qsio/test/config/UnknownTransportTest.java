package dev.qsio.test.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.qsio.OnConnect;
import dev.qsio.SocketIO;
import dev.qsio.test.Failures;
import io.quarkus.runtime.configuration.ConfigurationException;
import io.quarkus.test.QuarkusUnitTest;

class UnknownTransportTest {

    @RegisterExtension
    static final QuarkusUnitTest test = new QuarkusUnitTest()
            .withApplicationRoot(root -> root.addClasses(Handlers.class, Failures.class))
            .overrideConfigKey("quarkus.socketio.transports", "carrier-pigeon")
            .assertException(t -> {
                Throwable root = Failures.rootCause(t);
                // the failure may come from the application class loader: compare the type by name
                assertThat(root.getClass().getName()).as("root cause of %s", t).isEqualTo(ConfigurationException.class.getName());
                assertThat(root.getMessage()).contains("quarkus.socketio.transports", "got 'carrier-pigeon'");
            });

    @Test
    void startupFails() {
        fail("startup should have failed");
    }

    @SocketIO
    static class Handlers {
        @OnConnect
        void connected() {
        }
    }
}
