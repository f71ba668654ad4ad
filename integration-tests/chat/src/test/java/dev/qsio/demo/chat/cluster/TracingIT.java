package dev.qsio.demo.chat.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.google.protobuf.ByteString;
import com.sun.net.httpserver.HttpServer;

import dev.qsio.it.support.ClientDriver;
import dev.qsio.it.support.ClusterProcess;
import dev.qsio.it.support.RedisServer;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;

/**
 * The packaged demo with tracing turned on as its documentation says, exporting OTLP over HTTP to a receiver this test
 * runs: a chat message sent by an official Node client is one trace from the handler's span on the sender's worker to
 * one delivery span on every other worker and host (over the local bus, and over Redis), each a child of the
 * broadcast's span; and a client that sends {@code traceparent} on its handshake has its connection in its trace.
 */
class TracingIT {

    static final Path JAR = ClusterIT.JAR;
    static final String CLIENT_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    static final String CLIENT_SPAN = "00f067aa0ba902b7";

    /** A span as the receiver got it, with the process (node and worker) that exported it. */
    record Exported(String process, String traceId, String spanId, String parentSpanId, String name, String kind,
            Map<String, String> attributes) {
    }

    final List<Exported> spans = new CopyOnWriteArrayList<>();
    HttpServer receiver;
    ClientDriver driver;
    RedisServer redis;
    final List<ClusterProcess> clusters = new CopyOnWriteArrayList<>();

    @BeforeEach
    void startReceiver() throws IOException {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/v1/traces", exchange -> {
            try (InputStream body = exchange.getRequestBody()) {
                collect(ExportTraceServiceRequest.parseFrom(body));
            }
            byte[] answer = ExportTraceServiceResponse.getDefaultInstance().toByteArray();
            exchange.getResponseHeaders().add("Content-Type", "application/x-protobuf");
            exchange.sendResponseHeaders(200, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        receiver.start();
        driver = ClientDriver.start();
    }

    @AfterEach
    void stop() {
        driver.close();
        clusters.forEach(ClusterProcess::close);
        if (redis != null) {
            redis.close();
        }
        receiver.stop(0);
    }

    private void collect(ExportTraceServiceRequest request) {
        for (ResourceSpans resource : request.getResourceSpansList()) {
            String process = strings(resource.getResource().getAttributesList()).get("service.instance.id");
            for (ScopeSpans scope : resource.getScopeSpansList()) {
                for (io.opentelemetry.proto.trace.v1.Span s : scope.getSpansList()) {
                    spans.add(new Exported(process, hex(s.getTraceId()), hex(s.getSpanId()), hex(s.getParentSpanId()),
                            s.getName(), s.getKind().name(), strings(s.getAttributesList())));
                }
            }
        }
    }

    private static String hex(ByteString bytes) {
        return HexFormat.of().formatHex(bytes.toByteArray());
    }

    private static Map<String, String> strings(List<KeyValue> attributes) {
        Map<String, String> map = new HashMap<>();
        for (KeyValue kv : attributes) {
            map.put(kv.getKey(), kv.getValue().hasStringValue() ? kv.getValue().getStringValue()
                    : kv.getValue().toString().trim());
        }
        return map;
    }

    /** The demo with tracing on, as the tracing page says, each process naming itself in its resource. */
    Map<String, String> traced(String node, Map<String, String> more) {
        Map<String, String> properties = new HashMap<>(more);
        properties.put("quarkus.otel.sdk.disabled", "false");
        properties.put("quarkus.otel.exporter.otlp.traces.endpoint", "http://127.0.0.1:" + receiver.getAddress().getPort());
        properties.put("quarkus.otel.exporter.otlp.traces.protocol", "http/protobuf");
        properties.put("quarkus.otel.bsp.schedule.delay", "200ms");
        properties.put("quarkus.otel.resource.attributes", "service.instance.id=" + node + "/${CLUSTER_WORKER_ID:primary}");
        return properties;
    }

    /** Connects Node clients until every worker of the cluster has one; returns a client's id by worker. */
    Map<Integer, String> clientOnEachWorker(ClusterProcess cluster, String prefix, int workers) {
        Map<Integer, String> byWorker = new HashMap<>();
        for (int i = 0; byWorker.size() < workers; i++) {
            assertThat(i).as("clients connected before each of %d workers had one", workers).isLessThan(40);
            String id = prefix + i;
            Map<String, Object> opts = new HashMap<>();
            opts.put("reconnection", false);
            if (i == 0) {
                opts.put("extraHeaders", Map.of("traceparent", "00-" + CLIENT_TRACE + "-" + CLIENT_SPAN + "-01"));
            }
            driver.connect(id, cluster.url(), opts);
            int worker = driver.awaitEmit(id, "hello").get("args").get(0).get("worker").asInt();
            byWorker.putIfAbsent(worker, id);
        }
        return byWorker;
    }

    /** Sends one chat message and returns its handler's span once the deliveries of every other server arrived. */
    Exported chatIsOneTrace(String sender, List<String> receivers, int otherServers) {
        driver.call(sender, 20_000, "chat", "traced message");
        for (String receiver : receivers) {
            await().atMost(Duration.ofSeconds(20)).until(() -> driver.received(receiver, "chat") >= 1);
        }
        Exported handler = await().atMost(Duration.ofSeconds(30)).until(() -> spans.stream()
                .filter(s -> s.name().equals("receive /") && "chat".equals(s.attributes().get(
                        "messaging.socket.io.event_name")))
                .findFirst().orElse(null), s -> s != null);
        String trace = handler.traceId();
        Exported send = await().atMost(Duration.ofSeconds(30)).until(() -> inTrace(trace, "send /"), l -> !l.isEmpty())
                .get(0);
        assertThat(send.kind()).isEqualTo("SPAN_KIND_PRODUCER");
        assertThat(send.parentSpanId()).isEqualTo(handler.spanId());
        assertThat(send.process()).isEqualTo(handler.process());
        List<Exported> deliveries = await().atMost(Duration.ofSeconds(30))
                .until(() -> inTrace(trace, "broadcast /"), l -> l.size() >= otherServers);
        // one span per broadcast on each other server, none for each of its clients: watched for a while
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5))
                .until(() -> inTrace(trace, "broadcast /").size() == otherServers);
        Set<String> processes = new TreeSet<>();
        for (Exported delivery : deliveries) {
            assertThat(delivery.kind()).isEqualTo("SPAN_KIND_CONSUMER");
            assertThat(delivery.parentSpanId()).as("a child of the sender's broadcast").isEqualTo(send.spanId());
            assertThat(delivery.attributes()).containsEntry("messaging.socket.io.event_name", "chat");
            processes.add(delivery.process());
        }
        assertThat(processes).hasSize(otherServers).doesNotContain(handler.process());
        ClusterIT.report("tracing: one trace " + trace + " from " + handler.process() + " to " + processes);
        return handler;
    }

    List<Exported> inTrace(String trace, String name) {
        return spans.stream().filter(s -> s.traceId().equals(trace) && s.name().equals(name)).toList();
    }

    void clientsConnectionIsInItsTrace() {
        Exported connect = await().atMost(Duration.ofSeconds(30)).until(() -> spans.stream()
                .filter(s -> s.name().equals("connect /") && s.traceId().equals(CLIENT_TRACE)).findFirst().orElse(null),
                s -> s != null);
        assertThat(connect.parentSpanId()).isEqualTo(CLIENT_SPAN);
        assertThat(connect.kind()).isEqualTo("SPAN_KIND_SERVER");
    }

    @Test
    void theTwoWorkerDemoOnTheLocalBus() {
        ClusterProcess cluster = ClusterProcess.start(JAR, 2, traced("local", Map.of()), "tracing-local");
        clusters.add(cluster);
        Map<Integer, String> clients = clientOnEachWorker(cluster, "l", 2);
        chatIsOneTrace(clients.get(1), List.of(clients.get(2)), 1);
        clientsConnectionIsInItsTrace();
    }

    @Test
    void twoHostsOnRedis() {
        redis = RedisServer.start("tracing");
        Map<String, String> onRedis = Map.of("quarkus.socketio.bus", "redis", "quarkus.socketio.redis.url", redis.url());
        ClusterProcess hostA = ClusterProcess.launch(JAR, 2, traced("host-a", with(onRedis, "host-a")), "tracing-a");
        clusters.add(hostA);
        ClusterProcess hostB = ClusterProcess.launch(JAR, 2, traced("host-b", with(onRedis, "host-b")), "tracing-b");
        clusters.add(hostB);
        hostA.awaitReady(2);
        hostB.awaitReady(2);
        await().atMost(Duration.ofSeconds(20)).until(() -> redis.subscribers("socket.io-request#/#") == 4);
        Map<Integer, String> onA = clientOnEachWorker(hostA, "a", 2);
        Map<Integer, String> onB = clientOnEachWorker(hostB, "b", 2);
        Exported handler = chatIsOneTrace(onA.get(1), List.of(onA.get(2), onB.get(1), onB.get(2)), 3);
        assertThat(handler.process()).isEqualTo("host-a/1");
        Set<String> hosts = inTrace(handler.traceId(), "broadcast /").stream()
                .map(s -> s.attributes().get("messaging.socket.io.origin.node")).collect(Collectors.toSet());
        assertThat(hosts).as("every delivery names the sender's host").containsExactly("host-a");
        clientsConnectionIsInItsTrace();
    }

    static Map<String, String> with(Map<String, String> properties, String node) {
        Map<String, String> all = new HashMap<>(properties);
        all.put("quarkus.socketio.cluster.node-id", node);
        return all;
    }
}
