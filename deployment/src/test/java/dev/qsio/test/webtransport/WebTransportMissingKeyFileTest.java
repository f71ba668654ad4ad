package dev.qsio.test.webtransport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.qsio.test.Failures;
import io.quarkus.test.QuarkusUnitTest;

/** A certificate's key file that is not there fails startup naming the key and the path. */
class WebTransportMissingKeyFileTest {

    @RegisterExtension
    static final QuarkusUnitTest test = new QuarkusUnitTest()
            .withApplicationRoot(root -> root.addClasses(WebTransportWithoutCertificateTest.Chat.class, Failures.class))
            .overrideConfigKey("quarkus.socketio.transports", "polling,websocket,webtransport")
            .overrideConfigKey("quarkus.socketio.webtransport.certificate-file", "pom.xml")
            .overrideConfigKey("quarkus.socketio.webtransport.key-file", "/no/such/key.pem")
            .assertException(t -> assertThat(Failures.rootCause(t).getMessage())
                    .contains("quarkus.socketio.webtransport.key-file", "/no/such/key.pem"));

    @Test
    void startupFails() {
        fail("startup should have failed");
    }
}
