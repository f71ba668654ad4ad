package dev.qsio.test.webtransport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.BindException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketException;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.qsio.runtime.server.WarmUp;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.test.QuarkusUnitTest;

/**
 * The WebTransport listener binds its UDP port only once the warm-up is done, as the HTTP server does: a client
 * cannot reach the process by WebTransport while its connection path is still being warmed (the benchmark's
 * generator opened WebTransport sessions during a warm-up, then found the HTTP port closed). An observer that runs
 * right after the warm-up finds the port free; once the application is up, it is taken.
 */
class WebTransportAfterWarmUpTest {

    /** Chosen where the extension's configuration is made; read back from the configuration in the application. */
    static final int CHOSEN = freeUdpPort();

    @RegisterExtension
    static final QuarkusUnitTest test = new QuarkusUnitTest()
            .withApplicationRoot(root -> root.addClasses(WebTransportWithoutCertificateTest.Chat.class,
                    TestCertificate.class, AfterWarmUp.class))
            .overrideConfigKey("quarkus.socketio.transports", "polling,websocket,webtransport")
            .overrideConfigKey("quarkus.socketio.webtransport.certificate-file", TestCertificate.file("cert.pem"))
            .overrideConfigKey("quarkus.socketio.webtransport.key-file", TestCertificate.file("key.pem"))
            .overrideConfigKey("quarkus.socketio.webtransport.host", "127.0.0.1")
            .overrideConfigKey("quarkus.socketio.webtransport.port", String.valueOf(CHOSEN))
            .overrideConfigKey("quarkus.socketio.warm-up.connections", "50");

    /** Runs after the warm-up (at {@code Integer.MAX_VALUE - 100}) and before the listeners (at {@code - 50}). */
    @Singleton
    public static class AfterWarmUp {
        static final AtomicReference<String> SEEN = new AtomicReference<>();

        @Inject
        WarmUp warmUp;

        @ConfigProperty(name = "quarkus.socketio.webtransport.port")
        int port;

        void afterWarmUp(@Observes @Priority(Integer.MAX_VALUE - 99) StartupEvent event) {
            WarmUp.Result result = warmUp.last();
            String state;
            try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))) {
                state = "free";
            } catch (SocketException e) {
                state = "taken: " + e;
            }
            SEEN.set("warm-up " + (result == null ? "not run" : result.sessions() + " sessions") + ", UDP port " + port
                    + " " + state);
        }
    }

    private static int freeUdpPort() {
        // a TCP port the kernel chose, then the same number checked free for UDP
        for (int i = 0; i < 20; i++) {
            try (ServerSocket tcp = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                    DatagramSocket udp = new DatagramSocket(
                            new InetSocketAddress(InetAddress.getLoopbackAddress(), tcp.getLocalPort()))) {
                return tcp.getLocalPort();
            } catch (Exception e) {
                // taken for UDP: another
            }
        }
        throw new IllegalStateException("no free UDP port found");
    }

    @ConfigProperty(name = "quarkus.socketio.webtransport.port")
    int port;

    @Test
    void theUdpPortIsBoundAfterTheWarmUpNotBefore() {
        assertThat(AfterWarmUp.SEEN.get()).isEqualTo("warm-up 50 sessions, UDP port " + port + " free");
        assertThatThrownBy(() -> new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), port)).close())
                .as("the listener holds the port once the application is up").isInstanceOf(BindException.class);
    }
}
