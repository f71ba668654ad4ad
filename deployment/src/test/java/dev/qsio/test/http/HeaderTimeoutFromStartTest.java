package dev.qsio.test.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.qsio.test.Failures;
import dev.qsio.test.RawConnection;
import io.quarkus.test.QuarkusUnitTest;

/**
 * The request-head deadline holds from the moment the HTTP server listens: the first connection the application
 * accepts, before any request has been served, is timed too (it used to be watched only from the first request on
 * its port, so connections opened before that one and sending nothing stayed open).
 */
class HeaderTimeoutFromStartTest {

    @RegisterExtension
    static final QuarkusUnitTest test = new QuarkusUnitTest()
            .withApplicationRoot(root -> root.addClasses(Failures.class, Failures.AnyNamespace.class, RawConnection.class))
            .overrideConfigKey("quarkus.socketio.header-timeout", "1s");

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    @Test
    void aConnectionOpenedBeforeAnyRequestIsCut() throws IOException {
        // this class makes no request before: nothing but the server's start has watched the port
        try (RawConnection silent = new RawConnection(port); RawConnection trickling = new RawConnection(port)) {
            trickling.write("GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: 127.0.0.1\r\nX-");
            assertThat(silent.closedWithin(Duration.ofSeconds(6))).as("a connection that sends nothing").isTrue();
            assertThat(trickling.closedWithin(Duration.ofSeconds(6))).as("a head that never ends").isTrue();
        }
    }
}
