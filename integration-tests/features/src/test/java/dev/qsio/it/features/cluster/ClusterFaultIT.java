package dev.qsio.it.features.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.qsio.it.support.ClientDriver;
import dev.qsio.it.support.ClusterProcess;

/**
 * Requests across workers when a worker dies or hangs: the caller gets its answer within the timeout.
 */
class ClusterFaultIT {

    static ClusterProcess start(String name) {
        return ClusterProcess.start(ClusterApiIT.JAR, 2, Map.of(
                "quarkus.socketio.cluster.request-timeout", "2s",
                "quarkus.socketio.cluster.heartbeat-timeout", "3s",
                // a hung worker is killed once silent this long (the default, 45 s, is what clients tolerate)
                "quarkus.socketio.cluster.stall-timeout", "5s",
                "quarkus.socketio.cluster.restart-delay", "200ms"), name);
    }

    @Test
    void fetchSocketsAnswersWhenAWorkerHangs() {
        try (ClusterProcess cluster = start("hang"); ClientDriver driver = ClientDriver.start()) {
            ClusterApiIT.cluster = cluster;
            var placed = ClusterApiIT.place(driver, "h", Map.of());
            String caller = placed.get(1).get("websocket").get(0);
            long hung = cluster.worker(2).path("pid").asLong();
            ClusterProcess.signal(hung, "STOP");
            try {
                JsonNode result = ClusterApiIT.ack(driver, caller, "fetch-timed", caller).get(0);
                // the request timeout (2 s) ends the wait: a stalled worker stays a member until the stall timeout
                // the hung worker cannot answer: the request fails at its timeout, naming it, rather than waiting on
                assertThat(result.has("error")).as(result.toString()).isTrue();
                assertThat(result.get("error").asText()).contains("fetchSockets timed out after 2000 ms");
                assertThat(result.get("ms").asLong()).as(result.toString()).isBetween(1900L, 3500L);
                // the primary notices the missing heartbeats (stalled at 3 s), kills the hung process at the stall
                // timeout (5 s) and starts a new one
                org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() -> {
                    var w = cluster.worker(2);
                    return w != null && w.path("ready").asBoolean() && w.path("pid").asLong() != hung;
                });
                assertThat(cluster.logText()).contains("sent no heartbeat for", "stalled", "(quarkus.socketio.cluster.stall-timeout); killing it");
                assertThat(ClusterApiIT.ack(driver, caller, "servers").get(0).asInt()).isEqualTo(2);
            } finally {
                ClusterProcess.signal(hung, "CONT");
            }
        }
    }

    @Test
    void requestsDuringAWorkerKillEndWithinTheirTimeout() {
        try (ClusterProcess cluster = start("kill"); ClientDriver driver = ClientDriver.start()) {
            ClusterApiIT.cluster = cluster;
            var placed = ClusterApiIT.place(driver, "k", Map.of("question", List.of("$none")));
            String caller = placed.get(1).get("websocket").get(0);
            String victimClient = placed.get(2).get("websocket").get(0);
            ClusterApiIT.ack(driver, victimClient, "join", "doomed");
            ClusterApiIT.ack(driver, caller, "join", "doomed");
            String ref = "ask-during-kill";
            driver.emitWithAck(caller, ref, 15_000, "ask-room-timeout", "doomed", 3000);
            ClusterProcess.signal(cluster.worker(2).path("pid").asLong(), "KILL");
            JsonNode answer = driver.awaitAck(caller, ref).get("args").get(0);
            // the clients are mute: whether the killed worker said it reached its client or left before it could,
            // the request ends at its own timeout (3 s) with the error that counts the answers, never hanging on
            // the dead worker
            assertThat(answer.has("error")).as(answer.toString()).isTrue();
            assertThat(answer.get("error").asText()).contains("operation has timed out: 0 of");
            assertThat(answer.get("ms").asLong()).as(answer.toString()).isBetween(2900L, 4000L);
            // and fetchSockets right after answers with what is left (the caller), within its 2 s timeout: a timeout
            // would be an error
            JsonNode fetched = ClusterApiIT.ack(driver, caller, "fetch-timed", "doomed").get(0);
            assertThat(fetched.has("error")).as(fetched.toString()).isFalse();
            assertThat(fetched.get("count").asInt()).as(fetched.toString()).isEqualTo(1);
            assertThat(fetched.get("ms").asLong()).as(fetched.toString()).isLessThan(2000);
        }
    }
}
