package dev.qsio.test.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.qsio.OnEvent;
import dev.qsio.SocketIo;
import dev.qsio.runtime.spans.Tracing;
import dev.qsio.testkit.ClientSocket;
import dev.qsio.testkit.SocketIoConnector;
import io.quarkus.test.QuarkusUnitTest;

/**
 * With OpenTelemetry's SDK disabled ({@code quarkus.otel.sdk.disabled=true}, the demo's default), the server's
 * tracing is the one that makes no span and allocates nothing.
 */
class TracingDisabledTest {

    @RegisterExtension
    static final QuarkusUnitTest test = new QuarkusUnitTest()
            .withApplicationRoot(root -> root.addClasses(Echo.class))
            .overrideConfigKey("quarkus.otel.sdk.disabled", "true");

    @SocketIo("/")
    public static class Echo {
        @OnEvent("echo")
        String echo(String text) {
            return text;
        }
    }

    @Inject
    Tracing tracing;

    @Test
    void theServerHasNoTracing() {
        assertThat(tracing).isSameAs(Tracing.NONE);
        try (ClientSocket client = SocketIoConnector.create().connectAndAwait()) {
            assertThat(client.emitAndAwaitAck("echo", "hi").arg().asText()).isEqualTo("hi");
        }
    }
}
