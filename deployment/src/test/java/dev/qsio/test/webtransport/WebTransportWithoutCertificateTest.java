package dev.qsio.test.webtransport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.qsio.OnConnect;
import dev.qsio.SocketIo;
import dev.qsio.SocketIoSocket;
import dev.qsio.test.Failures;
import io.quarkus.test.QuarkusUnitTest;

/** WebTransport listed without a certificate (QUIC has no plain-text mode) fails startup naming the key to set. */
class WebTransportWithoutCertificateTest {

    @SocketIo("/")
    public static class Chat {
        @OnConnect
        void connected(SocketIoSocket socket) {
        }
    }

    @RegisterExtension
    static final QuarkusUnitTest test = new QuarkusUnitTest()
            .withApplicationRoot(root -> root.addClasses(Chat.class, Failures.class))
            .overrideConfigKey("quarkus.socketio.transports", "polling,websocket,webtransport")
            .assertException(t -> assertThat(Failures.rootCause(t).getMessage())
                    .contains("quarkus.socketio.webtransport.certificate-file", "needs a certificate"));

    @Test
    void startupFails() {
        fail("startup should have failed");
    }
}
