package dev.qsio.test.tracing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.qsio.OnEvent;
import dev.qsio.SocketIo;
import dev.qsio.SocketIoSocket;
import dev.qsio.testkit.ClientSocket;
import dev.qsio.testkit.SocketIoConnector;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.quarkus.test.QuarkusUnitTest;

/**
 * The application's sampler decides: with {@code always_off}, handlers still run in a span context (which a message to
 * other servers carries, not sampled) and nothing is exported.
 */
class TracingSamplingOffTest {

    @RegisterExtension
    static final QuarkusUnitTest test = new QuarkusUnitTest()
            .withApplicationRoot(root -> root.addClasses(Chat.class, TracingSpansTest.Exporter.class))
            .overrideConfigKey("quarkus.otel.traces.sampler", "always_off")
            .overrideConfigKey("quarkus.otel.bsp.schedule.delay", "50ms");

    static final Map<String, SpanContext> SEEN = new ConcurrentHashMap<>();

    @SocketIo("/chat")
    public static class Chat {
        @OnEvent("message")
        String message(SocketIoSocket socket, String text) {
            SEEN.put("handler", Span.current().getSpanContext());
            socket.broadcast().emit("message", text);
            return "ok";
        }
    }

    @Inject
    InMemorySpanExporter spans;

    @Test
    void nothingIsExportedAndHandlersStillRunInAContextNotSampled() {
        try (ClientSocket client = SocketIoConnector.create().namespace("/chat").connectAndAwait()) {
            assertThat(client.emitAndAwaitAck("message", "hi").arg().asText()).isEqualTo("ok");
        }
        SpanContext handler = SEEN.get("handler");
        assertThat(handler.isValid()).isTrue();
        assertThat(handler.isSampled()).isFalse();
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5))
                .until(() -> spans.getFinishedSpanItems().isEmpty());
    }
}
