package dev.qsio.it.features.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import com.fasterxml.jackson.databind.JsonNode;

import dev.qsio.it.support.ClientDriver;
import dev.qsio.it.support.ClusterProcess;

/**
 * Acknowledgements across the two workers of a host, with the official Node client: every argument of each answer
 * reaches the worker that asked ({@code emitWithAckArgs}), a recipient that leaves on the other worker is waited for
 * until the broadcast's timeout (as in Node), and a {@code serverSideEmitWithAck} stops waiting for a worker that
 * dies.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AcknowledgementsIT {

    static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar");
    /** The default acknowledgement timeout: far beyond what a departure should take to be noticed. */
    static final long ACK_TIMEOUT_MS = 30_000;
    static final byte[] BINARY = { 1, 2, 3 };
    static ClusterProcess cluster;
    ClientDriver driver;

    @BeforeAll
    static void start() {
        cluster = ClusterProcess.start(JAR, 2, Map.of("quarkus.socketio.ack-timeout", ACK_TIMEOUT_MS + "ms"), "acks");
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    @BeforeEach
    void clients() {
        cluster.awaitReady(2);
        driver = ClientDriver.start();
    }

    @AfterEach
    void close() {
        driver.close();
    }

    static JsonNode ack(ClientDriver driver, String id, String event, Object... args) {
        return driver.call(id, 45_000, event, args);
    }

    /** Connects clients named {@code prefix<n>} until one is on {@code worker}; returns its id. */
    String on(int worker, String prefix, List<Object> answer) {
        for (int i = 0; i < 40; i++) {
            String id = prefix + i;
            driver.connect(id, cluster.url(), new HashMap<>(), Map.of("question", answer));
            driver.awaitEmit(id, "welcome");
            if (ack(driver, id, "whoami").get(0).asInt() == worker) {
                return id;
            }
            driver.disconnect(id);
        }
        throw new AssertionError("no client reached worker " + worker);
    }

    @Test
    @Order(1)
    void everyArgumentOfEachAnswerReachesTheWorkerThatAsked() {
        List<Object> answer = List.of("a", 2, ClientDriver.bin(BINARY));
        String near = on(1, "near", answer);
        String far = on(2, "far", answer);
        ack(driver, near, "join", "args");
        ack(driver, far, "join", "args");

        JsonNode result = ack(driver, near, "ask-room-args", "args", 10_000).get(0);
        assertThat(result.path("answers")).as(result.toString()).hasSize(2);
        for (JsonNode a : result.path("answers")) {
            assertThat(a.path("event").asText()).isEqualTo("question");
            JsonNode values = a.path("values");
            assertThat(values).as(a.toString()).hasSize(3);
            assertThat(values.get(0).asText()).isEqualTo("a");
            assertThat(values.get(1).asInt()).isEqualTo(2);
            assertThat(Base64.getDecoder().decode(values.get(2).path("$bin").asText())).containsExactly(BINARY);
        }
        // the first-argument form gives each answer's first
        JsonNode firsts = ack(driver, far, "ask-room-timeout", "args", 10_000).get(0);
        assertThat(firsts.path("answers").toString()).isEqualTo("[\"a\",\"a\"]");
    }

    @Test
    @Order(2)
    void aRecipientThatLeavesOnTheOtherWorkerIsWaitedForUntilTheTimeout() {
        String stays = on(1, "stays", List.of("here"));
        String leaves = on(2, "leaves", List.of("$disconnect"));
        ack(driver, stays, "join", "leavers");
        ack(driver, leaves, "join", "leavers");

        JsonNode result = ack(driver, stays, "ask-room-timeout", "leavers", 3_000).get(0);
        assertThat(driver.await(leaves, "disconnect").path("reason").asText()).isEqualTo("io client disconnect");
        assertThat(result.path("error").asText()).as(result.toString()).contains("1 of 2 clients acknowledged");
        assertThat(result.path("ms").asLong()).as("failed at the timeout").isGreaterThanOrEqualTo(2_900);
        // no worker's sockets await an acknowledgement any more (figures come with each worker's heartbeat)
        await().atMost(Duration.ofSeconds(10)).until(() -> cluster.workers().stream()
                .allMatch(w -> w.path("stats").path("socketio").has("acksPending")
                        && w.path("stats").path("socketio").path("acksPending").asLong() == 0));
    }

    /** Last: it kills worker 2 (the primary starts another). */
    @Test
    @Order(3)
    void serverSideEmitWithAckStopsWaitingForAWorkerThatDies() {
        String asker = on(1, "asker", List.of("$none"));
        String witness = on(2, "witness", List.of("$none"));
        int askedBefore = ack(driver, witness, "late-asked").get(0).asInt();

        // worker 2 answers a minute later, past the 30 s timeout; it dies before
        driver.emitWithAck(asker, "late", 60_000, "ask-servers-late", 60_000);
        await().atMost(Duration.ofSeconds(15)).until(() -> ack(driver, witness, "late-asked").get(0).asInt()
                > askedBefore);
        ProcessHandle.of(cluster.worker(2).path("pid").asLong()).orElseThrow().destroyForcibly();

        JsonNode answer = driver.awaitAck(asker, "late");
        assertThat(answer.has("error")).as(answer.toString()).isFalse();
        JsonNode result = answer.path("args").get(0);
        assertThat(result.path("answers")).as(result.toString()).isEmpty();
        assertThat(result.path("ms").asLong()).as("ended when the worker left, not at the 30 s timeout")
                .isLessThan(ACK_TIMEOUT_MS - 5_000);
    }
}
