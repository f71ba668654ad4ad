package dev.qsio.test.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.qsio.runtime.http.ListeningChannel;
import dev.qsio.test.Failures;
import io.netty.channel.Channel;
import io.netty.channel.ServerChannel;
import io.quarkus.test.QuarkusUnitTest;
import io.vertx.core.Vertx;

/**
 * A worker serves a connection handed over by another one through its HTTP server's listening channel, which
 * neither Quarkus nor Vert.x exposes: this test fails when a Quarkus or Vert.x upgrade breaks the reach.
 */
class ListeningChannelTest {

    @RegisterExtension
    static final QuarkusUnitTest test = new QuarkusUnitTest()
            .withApplicationRoot(root -> root.addClasses(Failures.class, Failures.AnyNamespace.class));

    @Inject
    Vertx vertx;

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    @Test
    void findsTheListeningChannelOfTheApplicationsHttpServer() {
        Channel channel = ListeningChannel.find(vertx, port);
        assertThat(channel).isInstanceOf(ServerChannel.class);
        assertThat(channel.isActive()).isTrue();
        assertThat(((InetSocketAddress) channel.localAddress()).getPort()).isEqualTo(port);
        assertThatThrownBy(() -> ListeningChannel.find(vertx, 1)).hasMessageContaining("no HTTP server")
                .hasMessageContaining("port 1");
    }
}
