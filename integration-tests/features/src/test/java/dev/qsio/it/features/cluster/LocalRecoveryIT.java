package dev.qsio.it.features.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;

import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.qsio.it.support.ClientDriver;
import dev.qsio.it.support.ClusterProcess;

/**
 * Connection state recovery on the embedded cluster (the local bus, no Redis, no PostgreSQL): the primary keeps its
 * host's sessions and broadcast log, so the clients of a worker that is killed, rolled or scaled away recover on
 * another worker of the host with every broadcast they missed, once and in order. Official Node clients with their
 * default options (only the transports chosen: polling then WebSocket, WebSocket only, polling only); the publisher is
 * a client too, sending numbered events one at a time, and starts a new numbering (origin) whenever it cannot tell
 * whether its last event went out. Before the primary kept sessions, this configuration failed at startup.
 */
class LocalRecoveryIT {

    static final Map<String, String> RECOVERY = Map.of("quarkus.socketio.connection-state-recovery.enabled", "true",
            "quarkus.socketio.drain-spread", "1s");
    static final List<Map<String, Object>> MIXES = List.of(Map.of(), Map.of("transports", List.of("websocket")),
            Map.of("transports", List.of("polling")));

    ClientDriver driver;
    ClusterProcess cluster;

    @BeforeEach
    void driver() {
        driver = ClientDriver.start();
    }

    @AfterEach
    void close() {
        driver.close();
        if (cluster != null) {
            cluster.close();
        }
    }

    /** The receivers: their socket id and worker, by client. */
    record Receivers(Map<String, String> sids, Map<String, Integer> workers) {
    }

    Receivers receivers(int n) {
        Map<String, String> sids = new LinkedHashMap<>();
        Map<String, Integer> workers = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            String t = "t" + i;
            driver.connectTracking(t, cluster.url(), MIXES.get(i % MIXES.size()), "n");
            sids.put(t, driver.await(t, "connect").get("sid").asText());
            driver.call(t, 30_000, "join", "r");
            workers.put(t, driver.call(t, 30_000, "whoami").get(0).asInt());
        }
        return new Receivers(sids, workers);
    }

    /**
     * Publishes numbered broadcasts to room r, one at a time, until {@code done} holds and {@code after} more went
     * out. Returns how many events of each origin were acknowledged; an origin's next event may also have gone out
     * unacknowledged (its worker went away with the answer), and then every receiver has it.
     */
    Map<String, Integer> publish(BooleanSupplier done, int after) {
        driver.connect("pub", cluster.url(), Map.of());
        driver.await("pub", "connect");
        Map<String, Integer> acked = new LinkedHashMap<>();
        int epoch = 0;
        int seq = 0;
        int tail = -1;
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        for (int n = 0; tail != 0; n++) {
            assertThat(System.nanoTime()).as("the publisher's loop ends within 120 s").isLessThan(deadline);
            String origin = "P" + epoch;
            driver.emitWithAck("pub", "e" + n, 10_000, "publish", origin, seq, "r");
            JsonNode ack = driver.awaitAck("pub", "e" + n);
            if (ack.has("error")) {
                epoch++;
                seq = 0;
                continue;
            }
            acked.put(origin, seq + 1);
            seq++;
            if (tail < 0 && done.getAsBoolean()) {
                tail = after;
            } else if (tail > 0) {
                tail--;
            }
        }
        return acked;
    }

    /**
     * Every receiver got every acknowledged broadcast of every origin once and in order, and the same ones as the
     * others (an unacknowledged last event of an origin reached all or none); each of its reconnections recovered
     * its socket. Returns how many receivers reconnected.
     */
    int assertRecovered(Receivers receivers, Map<String, Integer> acked) {
        for (String t : receivers.sids().keySet()) {
            await().atMost(Duration.ofSeconds(30)).alias(t + " has every acknowledged broadcast")
                    .until(() -> acked.entrySet().stream().allMatch(e -> driver.report(t).path("origins").path(e.getKey())
                            .path("count").asInt() >= e.getValue()));
        }
        // what went out unacknowledged reaches every receiver or none: wait until they agree (the assertions below
        // say which does not, when they never do)
        try {
            await().atMost(Duration.ofSeconds(10)).alias("every receiver has the same broadcasts").until(() -> acked.keySet()
                    .stream().allMatch(o -> receivers.sids().keySet().stream().map(t -> driver.report(t).path("origins")
                            .path(o).path("count").asInt()).distinct().count() == 1));
        } catch (ConditionTimeoutException e) {
            // reported per receiver below
        }
        int reconnected = 0;
        Map<String, Integer> countOf = new HashMap<>();
        for (String t : receivers.sids().keySet()) {
            JsonNode origins = driver.report(t).path("origins");
            List<JsonNode> connects = driver.events(t, "connect");
            String story = t + " (worker " + receivers.workers().get(t) + ", " + mix(t) + "): " + connects + " " + driver.events(t, "disconnect") + " " + origins;
            for (Map.Entry<String, Integer> e : acked.entrySet()) {
                JsonNode r = origins.path(e.getKey());
                int count = r.path("count").asInt();
                assertThat(count).as("origin " + e.getKey() + " at " + story).isBetween(e.getValue(), e.getValue() + 1);
                assertThat(countOf.computeIfAbsent(e.getKey(), k -> count)).as("the same broadcasts of " + e.getKey()
                        + " as every other receiver: " + story).isEqualTo(count);
                assertThat(r.path("outOfOrder").asInt()).as("gaps or reordering: " + story).isZero();
                assertThat(r.path("duplicates").asInt()).as("duplicates: " + story).isZero();
            }
            for (JsonNode again : connects.subList(1, connects.size())) {
                assertThat(again.path("recovered").asBoolean()).as("recovered: " + story).isTrue();
                assertThat(again.path("sid").asText()).as(story).isEqualTo(receivers.sids().get(t));
            }
            if (connects.size() > 1) {
                reconnected++;
            }
        }
        return reconnected;
    }

    /** The options a receiver was connected with. */
    static Map<String, Object> mix(String receiver) {
        return MIXES.get(Integer.parseInt(receiver.substring(1)) % MIXES.size());
    }

    static void report(String line) {
        System.out.println("[local-recovery-report] " + line);
    }

    @Test
    void aDrainSpreadAsLongAsTheShutdownTimeoutFailsStartupNamingBothKeys() throws Exception {
        cluster = ClusterProcess.launch(ClusterApiIT.JAR, 2, Map.of("quarkus.socketio.drain-spread", "30s"),
                "local-recovery-bad-spread");
        assertThat(cluster.process().waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(cluster.process().exitValue()).isNotZero();
        assertThat(cluster.logText()).contains("quarkus.socketio.drain-spread (PT30S) must be shorter than "
                + "quarkus.socketio.cluster.shutdown-timeout (PT30S)");
        assertThat(cluster.process().toHandle().descendants().toList()).as("no worker started").isEmpty();
    }

    @Test
    void theClientsOfAKilledWorkerRecoverOnTheOtherWorker() {
        cluster = ClusterProcess.start(ClusterApiIT.JAR, 2, RECOVERY, "local-recovery-kill");
        Receivers receivers = receivers(12);
        assertThat(receivers.workers().values()).as("receivers on both workers").contains(1, 2);
        long victim = cluster.worker(1).path("pid").asLong();
        int[] sent = { 0 };
        Map<String, Integer> acked = publish(() -> {
            if (++sent[0] == 30) {
                ClusterProcess.signal(victim, "KILL");
            }
            return sent[0] > 30 && cluster.workers().stream().allMatch(w -> w.path("ready").asBoolean())
                    && receivers.sids().keySet().stream().filter(t -> receivers.workers().get(t) == 1)
                            .allMatch(t -> driver.events(t, "connect").size() >= 2);
        }, 100);
        int reconnected = assertRecovered(receivers, acked);
        long moved = receivers.workers().values().stream().filter(w -> w == 1).count();
        assertThat(reconnected).as("the killed worker's receivers, at least").isGreaterThanOrEqualTo((int) moved);
        report("worker SIGKILL: " + reconnected + " of 12 receivers reconnected, every one recovered its socket and "
                + acked + " broadcasts once and in order");
    }

    @Test
    void aRollingRestartLosesNothing() {
        cluster = ClusterProcess.start(ClusterApiIT.JAR, 2, RECOVERY, "local-recovery-roll");
        Receivers receivers = receivers(12);
        Set<Long> before = Set.copyOf(cluster.workers().stream().map(w -> w.path("pid").asLong()).toList());
        int[] sent = { 0 };
        Map<String, Integer> acked = publish(() -> {
            if (++sent[0] == 30) {
                ClusterProcess.signal(cluster.pid(), "USR1");
            }
            List<JsonNode> w = cluster.workers();
            return sent[0] > 30 && w.size() == 2 && w.stream().allMatch(x -> x.path("ready").asBoolean()
                    && !before.contains(x.path("pid").asLong()));
        }, 100);
        int reconnected = assertRecovered(receivers, acked);
        assertThat(reconnected).as("every receiver's worker was replaced").isEqualTo(12);
        assertThat(cluster.logText()).contains("SIGUSR1: rolling restart");
        report("rolling restart: all 12 receivers moved, every one recovered its socket and " + acked
                + " broadcasts once and in order");
    }

    @Test
    void aScaleDownLosesNothing() {
        cluster = ClusterProcess.start(ClusterApiIT.JAR, 2, RECOVERY, "local-recovery-scale");
        Receivers receivers = receivers(12);
        assertThat(receivers.workers().values()).as("receivers on both workers").contains(1, 2);
        int[] sent = { 0 };
        Map<String, Integer> acked = publish(() -> {
            if (++sent[0] == 30) {
                ClusterProcess.signal(cluster.pid(), "TTOU");
            }
            return sent[0] > 30 && cluster.workers().size() == 1 && cluster.workers().get(0).path("ready").asBoolean();
        }, 100);
        int kept = cluster.workers().get(0).path("id").asInt();
        int reconnected = assertRecovered(receivers, acked);
        long moved = receivers.workers().values().stream().filter(w -> w != kept).count();
        assertThat(moved).as("receivers on the worker scaled away").isPositive();
        assertThat(reconnected).isGreaterThanOrEqualTo((int) moved);
        List<String> stayed = new ArrayList<>();
        receivers.workers().forEach((t, w) -> {
            if (w == kept && mix(t).equals(MIXES.get(1))) {
                stayed.add(t);
            }
        });
        // the WebSocket-only clients of the worker that stays see nothing of it
        for (String t : stayed) {
            assertThat(driver.events(t, "connect")).as(t + ": WebSocket on the worker that stays").hasSize(1);
        }
        report("scale 2 -> 1: " + moved + " receivers of the worker scaled away (" + reconnected + " reconnected in "
                + "all) recovered their socket and " + acked + " broadcasts once and in order");
    }
}
