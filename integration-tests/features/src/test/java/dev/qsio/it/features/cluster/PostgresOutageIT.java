package dev.qsio.it.features.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.qsio.it.support.ClientDriver;
import dev.qsio.it.support.ClusterProcess;
import dev.qsio.it.support.PostgresServer;

/**
 * PostgreSQL restarted under a stream of broadcasts between two hosts ({@code quarkus.socketio.bus=postgres}): both
 * hosts report not ready while they cannot listen, and ready again once they listen again, without any restart or
 * client reconnection. The stream's receiver on the other host gets nothing twice and nothing out of order; it misses
 * what was broadcast while its host or the sender's was not listening (NOTIFY keeps nothing for a listener that is
 * not there, as documented), and gets the rest of the stream. The sender's own host delivers the whole stream.
 */
class PostgresOutageIT {

    static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar");
    ClientDriver driver;
    PostgresServer postgres;
    ClusterProcess hostA;
    ClusterProcess hostB;

    Map<String, String> host(String node) {
        Map<String, String> p = new java.util.HashMap<>(PostgresInteropIT.hostProperties(node, postgres));
        p.put("quarkus.socketio.postgres.reconnect-delay-max", "1s");
        return p;
    }

    @BeforeEach
    void start() {
        postgres = PostgresServer.start("outage");
        hostA = ClusterProcess.launch(JAR, 1, host("host-a"), "pg-outage-a");
        hostB = ClusterProcess.launch(JAR, 1, host("host-b"), "pg-outage-b");
        hostA.awaitReady(1);
        hostB.awaitReady(1);
        driver = ClientDriver.start();
    }

    @AfterEach
    void stop() {
        if (driver != null) {
            driver.close();
        }
        hostA.close();
        hostB.close();
        postgres.close();
    }

    int tracked(String id, String field) {
        return driver.report(id).path("origins").path("S").path(field).asInt();
    }

    @Test
    void aRestartUnderAStreamIsReportedLosesOnlyWhatWasSentMeanwhileAndDuplicatesNothing() {
        driver.connectTracking("far", hostB.url(), Map.of("transports", List.of("websocket")), "n");
        driver.connectTracking("near", hostA.url(), Map.of("transports", List.of("polling")), "n");
        driver.connect("p", hostA.url(), Map.of("transports", List.of("websocket")));
        for (String id : List.of("far", "near", "p")) {
            driver.await(id, "connect");
        }
        driver.call("far", 30_000, "join", "r");
        driver.call("near", 30_000, "join", "r");
        long pidA = hostA.worker(1).get("pid").asLong();
        long pidB = hostB.worker(1).get("pid").asLong();
        int count = 600;
        driver.emitWithAck("p", "stream", 300_000, "stream", "S", count, 20, "r");
        await().atMost(Duration.ofSeconds(30)).until(() -> tracked("far", "count") >= 50);

        long stoppedAt = System.nanoTime();
        postgres.stop();
        for (ClusterProcess host : List.of(hostA, hostB)) {
            // the datasource's own check goes DOWN at once; the wire's says so once its connection has failed
            await().atMost(Duration.ofSeconds(30)).until(() -> host.status("/q/health/ready") == 503
                    && host.text("/q/health/ready").contains("PostgreSQL unreachable"));
        }
        long downMs = (System.nanoTime() - stoppedAt) / 1_000_000;
        int duringOutage = tracked("far", "count");
        postgres.startAgain();
        long restartedAt = System.nanoTime();
        for (ClusterProcess host : List.of(hostA, hostB)) {
            ClusterProcess.awaitReadiness(Duration.ofSeconds(30), host);
        }
        long upMs = (System.nanoTime() - restartedAt) / 1_000_000;

        driver.awaitAck("p", "stream");
        await().atMost(Duration.ofSeconds(30)).until(() -> tracked("far", "last") == count - 1);
        JsonNode far = driver.report("far").path("origins").path("S");
        JsonNode near = driver.report("near").path("origins").path("S");
        System.out.printf("PostgreSQL restart under a stream of %d: both hosts not ready after %d ms, ready %d ms after "
                + "it was back; the other host's client got %d (%d before the outage was seen), the sender's host's %d%n",
                count, downMs, upMs, far.get("count").asInt(), duringOutage, near.get("count").asInt());
        // nothing twice, nothing reordered: what is missing is one gap, the outage
        assertThat(far.get("duplicates").asInt()).as(far.toString()).isZero();
        assertThat(far.get("outOfOrder").asInt()).as("one gap: " + far).isEqualTo(1);
        assertThat(far.get("count").asInt()).as("lost while PostgreSQL was down").isLessThan(count)
                .isGreaterThan(duringOutage);
        // the sender's host delivered it all to its own clients, in order
        assertThat(near.get("count").asInt()).as(near.toString()).isEqualTo(count);
        assertThat(near.get("outOfOrder").asInt()).isZero();
        assertThat(near.get("duplicates").asInt()).isZero();

        JsonNode stats = hostA.worker(1).get("stats").get("postgres");
        assertThat(stats.get("up").asBoolean()).isTrue();
        assertThat(stats.get("outages").asLong()).isGreaterThanOrEqualTo(1);
        assertThat(stats.get("dropped").asLong()).as("what host A could not send was counted").isGreaterThanOrEqualTo(1);
        assertThat(hostA.worker(1).get("pid").asLong()).isEqualTo(pidA);
        assertThat(hostB.worker(1).get("pid").asLong()).isEqualTo(pidB);
        assertThat(driver.events(e -> "disconnect".equals(e.path("event").asText()))).isEmpty();
    }
}
