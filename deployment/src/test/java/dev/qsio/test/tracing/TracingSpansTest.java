package dev.qsio.test.tracing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;
import org.jboss.logging.MDC;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.qsio.OnConnect;
import dev.qsio.OnDisconnect;
import dev.qsio.OnEvent;
import dev.qsio.SocketIo;
import dev.qsio.SocketIoServer;
import dev.qsio.SocketIoSocket;
import dev.qsio.testkit.ClientSocket;
import dev.qsio.testkit.SocketIoConnector;
import dev.qsio.testkit.Transport;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.quarkus.test.QuarkusUnitTest;

/**
 * The spans of one server, exported in memory: each kind with its name and attributes, a connection that continues
 * the client's {@code traceparent}, a handler's trace linked to its connection's, and the trace ids in the logs.
 */
class TracingSpansTest {

    static final String CLIENT_TRACE = "0af7651916cd43dd8448eb211c80319c";
    static final String CLIENT_SPAN = "b7ad6b7169203331";

    @RegisterExtension
    static final QuarkusUnitTest test = new QuarkusUnitTest()
            .withApplicationRoot(root -> root.addClasses(Chat.class, Exporter.class))
            .overrideConfigKey("quarkus.otel.bsp.schedule.delay", "50ms");

    static final AttributeKey<String> SYSTEM = AttributeKey.stringKey("messaging.system");
    static final AttributeKey<String> DESTINATION = AttributeKey.stringKey("messaging.destination.name");
    static final AttributeKey<String> OPERATION = AttributeKey.stringKey("messaging.operation.name");
    static final AttributeKey<String> OPERATION_TYPE = AttributeKey.stringKey("messaging.operation.type");
    static final AttributeKey<String> CLIENT_ID = AttributeKey.stringKey("messaging.client.id");
    static final AttributeKey<String> NAMESPACE = AttributeKey.stringKey("messaging.socket.io.namespace");
    static final AttributeKey<String> EVENT = AttributeKey.stringKey("messaging.socket.io.event_name");
    static final AttributeKey<List<String>> ROOMS = AttributeKey.stringArrayKey("messaging.socket.io.rooms");
    static final AttributeKey<List<String>> EXCEPT = AttributeKey.stringArrayKey("messaging.socket.io.except");
    static final AttributeKey<String> TRANSPORT = AttributeKey.stringKey("messaging.socket.io.transport");
    static final AttributeKey<String> REASON = AttributeKey.stringKey("messaging.socket.io.disconnect_reason");

    /** What the handlers logged, with the trace and span ids in the MDC at the time. */
    static final List<Map<String, Object>> LOGGED = new CopyOnWriteArrayList<>();

    @Singleton
    public static class Exporter {
        @Produces
        @Singleton
        InMemorySpanExporter spans() {
            return InMemorySpanExporter.create();
        }
    }

    @SocketIo("/chat")
    public static class Chat {
        private static final Logger LOG = Logger.getLogger(Chat.class);

        @OnConnect
        void joined(SocketIoSocket socket) {
            socket.join("lobby");
        }

        @OnEvent("message")
        String message(SocketIoSocket socket, String text) {
            LOG.infof("relaying %s", text);
            LOGGED.add(Map.copyOf(MDC.getMap()));
            socket.broadcast().to("lobby").except("muted").emit("message", text);
            return "ok";
        }

        @OnEvent("ping")
        void ping(SocketIoSocket socket) {
            socket.emit("pong", 1);
        }

        @OnEvent("fail")
        void fail() {
            throw new IllegalStateException("a handler that fails");
        }

        @OnDisconnect
        void left(SocketIoSocket socket, String reason) {
        }
    }

    @Inject
    InMemorySpanExporter spans;

    @Inject
    SocketIoServer io;

    final SocketIoConnector chat = SocketIoConnector.create().namespace("/chat");

    @BeforeEach
    void reset() {
        spans.reset();
        LOGGED.clear();
    }

    SpanData finished(Predicate<SpanData> matching) {
        return await().atMost(Duration.ofSeconds(10)).until(() -> spans.getFinishedSpanItems().stream()
                .filter(matching).findFirst(), Optional::isPresent).get();
    }

    static Predicate<SpanData> named(String name, String event) {
        return s -> s.getName().equals(name) && (event == null || event.equals(s.getAttributes().get(EVENT)));
    }

    static void messaging(SpanData span, String operation, SpanKind kind) {
        assertThat(span.getKind()).isEqualTo(kind);
        assertThat(span.getAttributes().get(SYSTEM)).isEqualTo("socket.io");
        assertThat(span.getAttributes().get(DESTINATION)).isEqualTo("/chat");
        assertThat(span.getAttributes().get(NAMESPACE)).isEqualTo("/chat");
        assertThat(span.getAttributes().get(OPERATION)).isEqualTo(operation);
    }

    @Test
    void aConnectionContinuesTheClientsTraceAndItsLifeIsInIt() {
        ClientSocket client = chat.header("traceparent", "00-" + CLIENT_TRACE + "-" + CLIENT_SPAN + "-01")
                .transports(Transport.POLLING, Transport.WEBSOCKET).connectAndAwait();
        String id = client.id();
        SpanData connect = finished(named("connect /chat", null));
        messaging(connect, "connect", SpanKind.SERVER);
        assertThat(connect.getTraceId()).isEqualTo(CLIENT_TRACE);
        assertThat(connect.getParentSpanId()).isEqualTo(CLIENT_SPAN);
        assertThat(connect.getAttributes().get(CLIENT_ID)).isEqualTo(id);
        assertThat(connect.getAttributes().get(TRANSPORT)).isEqualTo("polling");

        SpanData onConnect = finished(named("receive /chat", "connection"));
        messaging(onConnect, "receive", SpanKind.CONSUMER);
        assertThat(onConnect.getParentSpanId()).as("@OnConnect runs in the connection's trace")
                .isEqualTo(connect.getSpanId());

        SpanData upgrade = finished(named("upgrade /chat", null));
        assertThat(upgrade.getKind()).isEqualTo(SpanKind.INTERNAL);
        assertThat(upgrade.getAttributes().get(TRANSPORT)).isEqualTo("websocket");
        assertThat(upgrade.getParentSpanId()).isEqualTo(connect.getSpanId());

        client.disconnectAndAwait();
        SpanData disconnect = finished(named("disconnect /chat", null));
        assertThat(disconnect.getKind()).isEqualTo(SpanKind.INTERNAL);
        assertThat(disconnect.getAttributes().get(REASON)).isEqualTo("client namespace disconnect");
        assertThat(disconnect.getParentSpanId()).isEqualTo(connect.getSpanId());
        assertThat(disconnect.getAttributes().get(CLIENT_ID)).isEqualTo(id);
        SpanData onDisconnect = finished(named("receive /chat", "disconnect"));
        assertThat(onDisconnect.getTraceId()).isEqualTo(CLIENT_TRACE);
    }

    @Test
    void anEventIsATraceOfItsOwnLinkedToItsConnectionWithItsBroadcastAndAcknowledgement() {
        try (ClientSocket client = chat.transports(Transport.WEBSOCKET).connectAndAwait()) {
            SpanData connect = finished(named("connect /chat", null));
            assertThat(client.emitAndAwaitAck("message", "hello").arg().asText()).isEqualTo("ok");

            SpanData receive = finished(named("receive /chat", "message"));
            messaging(receive, "receive", SpanKind.CONSUMER);
            assertThat(receive.getAttributes().get(OPERATION_TYPE)).isEqualTo("process");
            assertThat(receive.getAttributes().get(CLIENT_ID)).isEqualTo(client.id());
            assertThat(receive.getParentSpanContext().isValid()).as("a root").isFalse();
            assertThat(receive.getTraceId()).isNotEqualTo(connect.getTraceId());
            assertThat(receive.getLinks()).singleElement()
                    .satisfies(link -> assertThat(link.getSpanContext()).isEqualTo(connect.getSpanContext()));

            SpanData broadcast = finished(named("send /chat", "message"));
            messaging(broadcast, "send", SpanKind.PRODUCER);
            assertThat(broadcast.getAttributes().get(OPERATION_TYPE)).isEqualTo("send");
            assertThat(broadcast.getAttributes().get(ROOMS)).containsExactly("lobby");
            assertThat(broadcast.getAttributes().get(EXCEPT)).containsExactlyInAnyOrder("muted", client.id());
            assertThat(broadcast.getParentSpanId()).isEqualTo(receive.getSpanId());

            SpanData ack = finished(named("ack /chat", "message"));
            messaging(ack, "ack", SpanKind.PRODUCER);
            assertThat(ack.getParentSpanId()).isEqualTo(receive.getSpanId());
            assertThat(ack.getAttributes().get(CLIENT_ID)).isEqualTo(client.id());

            // the handler's log line carries its span (Quarkus's %X{traceId} and %X{spanId})
            assertThat(LOGGED).singleElement().satisfies(mdc -> {
                assertThat(mdc).containsEntry("traceId", receive.getTraceId());
                assertThat(mdc).containsEntry("spanId", receive.getSpanId());
            });
        }
    }

    @Test
    void anEmitToTheSocketIsAProducerSpanAndAFailingHandlerAnError() {
        try (ClientSocket client = chat.transports(Transport.WEBSOCKET).connectAndAwait()) {
            client.emit("ping");
            client.awaitEvent("pong");
            SpanData receive = finished(named("receive /chat", "ping"));
            SpanData emit = finished(named("send /chat", "pong"));
            messaging(emit, "send", SpanKind.PRODUCER);
            assertThat(emit.getAttributes().get(CLIENT_ID)).isEqualTo(client.id());
            assertThat(emit.getAttributes().get(ROOMS)).isNull();
            assertThat(emit.getParentSpanId()).isEqualTo(receive.getSpanId());

            client.emit("fail");
            SpanData failed = finished(named("receive /chat", "fail"));
            assertThat(failed.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
            assertThat(failed.getEvents()).anySatisfy(e -> assertThat(e.getName()).isEqualTo("exception"));
        }
    }

    @Test
    void theApplicationsOwnEmitsAreSpansToo() {
        io.of("/chat").emit("news", "from the application");
        io.of("/chat").serverSideEmit("tick", 1);
        SpanData news = finished(named("send /chat", "news"));
        messaging(news, "send", SpanKind.PRODUCER);
        assertThat(news.getParentSpanContext().isValid()).isFalse();
        SpanData tick = finished(named("serverSideEmit /chat", "tick"));
        messaging(tick, "serverSideEmit", SpanKind.PRODUCER);
        assertThat(spans.getFinishedSpanItems()).filteredOn(named("send /chat", "news")).as("one span per broadcast")
                .hasSize(1);
    }
}
