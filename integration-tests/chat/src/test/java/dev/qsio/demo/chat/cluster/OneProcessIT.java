package dev.qsio.demo.chat.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import com.fasterxml.jackson.databind.JsonNode;

import dev.qsio.it.support.ClusterProcess;
import dev.qsio.testkit.ClientSocket;
import dev.qsio.testkit.SocketIoConnector;
import dev.qsio.testkit.Transport;

/**
 * The packaged demo, whose properties make it a cluster of two workers, started as one process, as a platform that
 * scales with replicas runs it: {@code -Dquarkus.socketio.cluster.enabled=false} (or {@code workers=0}) wins.
 */
class OneProcessIT {

    @ParameterizedTest(name = "-D{0}={1}")
    @CsvSource({ "quarkus.socketio.cluster.enabled, false", "quarkus.socketio.cluster.workers, 0" })
    void thePackagedClusterStartsAsOneProcess(String key, String value) {
        try (ClusterProcess single = ClusterProcess.startSingle(ClusterIT.JAR, Map.of(key, value), "one-process")) {
            // ready without workers: min-ready-workers=2 of the demo is a primary's rule
            ClusterProcess.awaitReadiness(Duration.ofSeconds(30), single);
            JsonNode live = single.getJson("/q/health/live");
            assertThat(live.at("/checks/0/data/role").asText()).isEqualTo("single");
            assertThat(single.processesStarted()).as("processes started by the application").isEmpty();

            SocketIoConnector chat = SocketIoConnector.to(single.url());
            try (ClientSocket a = chat.connectAndAwait();
                    ClientSocket b = chat.transports(Transport.WEBSOCKET).connectAndAwait()) {
                JsonNode hello = a.awaitEvent("hello").arg();
                assertThat(hello.get("worker").asInt()).isZero();
                assertThat(hello.get("pid").asLong()).isEqualTo(single.pid());
                assertThat(b.awaitEvent("hello").arg().get("pid").asLong()).isEqualTo(single.pid());

                JsonNode ack = a.emitAndAwaitAck("chat", "one process").arg();
                assertThat(ack.get("ok").asBoolean()).isTrue();
                assertThat(ack.get("worker").asInt()).isZero();
                JsonNode chatted = b.awaitEvent("chat").arg();
                assertThat(chatted.get("text").asText()).isEqualTo("one process");
                assertThat(chatted.get("from").asText()).isEqualTo(a.id());
            }
            assertThat(single.processesStarted()).isEmpty();
            assertThat(single.logText()).doesNotContain("starting 2 workers");
        }
    }
}
