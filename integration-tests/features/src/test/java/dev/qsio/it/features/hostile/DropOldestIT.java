package dev.qsio.it.features.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.qsio.it.support.ClientDriver;
import dev.qsio.it.support.ClusterProcess;
import dev.qsio.it.support.ScriptProcess;

/**
 * The {@code drop-oldest} slow-consumer policy, set for the main namespace alone
 * ({@code slow-consumer.namespace."/".policy}), with official Node clients of every transport mix whose process is
 * stopped (SIGSTOP) while a stream of 400 events of 20 KB is broadcast to their room from the other worker: the server
 * holds at most {@code lag-bytes} (200 KB) of the stream for each, dropping the oldest. Once the process runs again,
 * each client gets the newest events in order, without a duplicate, and the event {@code qsio:dropped} with counts that
 * add up to exactly what it missed; none is disconnected, although each stayed behind longer than {@code max-lag}
 * (1 s), and the memory held stays under the per-session bound. A client of the same room that reads is held to
 * the same account (on a quiet machine it misses nothing), and is not disconnected either.
 */
class DropOldestIT {

    static final int EVENTS = 400;
    static final int SIZE = 20_000;
    static final List<Map<String, Object>> MIXES = List.of(Map.of(), Map.of("transports", List.of("websocket")),
            Map.of("transports", List.of("polling")));

    @Test
    void aStoppedClientMissesTheOldestAndIsToldHowMany() throws Exception {
        try (ClusterProcess cluster = ClusterProcess.start(UnreadClientIT.JAR, 2, policy(), "drop-oldest");
                ClientDriver stalled = ClientDriver.start();
                ClientDriver driver = ClientDriver.start()) {
            for (int i = 0; i < MIXES.size(); i++) {
                String id = "s" + i;
                stalled.connectTracking(id, cluster.url(), MIXES.get(i), "n");
                stalled.await(id, "connect");
                if (MIXES.get(i).isEmpty()) {
                    stalled.await(id, "upgrade");
                }
                stalled.call(id, 15_000, "join", "big");
            }
            driver.connectTracking("reader", cluster.url(), Map.of(), "n");
            driver.await("reader", "connect");
            driver.call("reader", 15_000, "join", "big");
            // the publisher's socket lives on the other worker than some of the clients: the stream is relayed too
            driver.connect("publisher", cluster.url(), Map.of("transports", List.of("websocket")));
            driver.await("publisher", "connect");

            stalled.signal("STOP");
            long stoppedAt = System.nanoTime();
            try {
                driver.call("publisher", 120_000, "heavy-stream", "P", EVENTS, 2, "big", SIZE);
                await().atMost(Duration.ofSeconds(30)).alias("the servers dropped the oldest for the stopped clients")
                        .until(() -> sum(cluster, "slowConsumerDrops") > 0);
                // the stopped clients stay behind longer than max-lag (1 s): the lag rule leaves them alone
                await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                        .until(() -> System.nanoTime() - stoppedAt > Duration.ofSeconds(3).toNanos());
                assertThat(sum(cluster, "slowConsumersLagged")).as("sessions closed by the lag rule").isZero();
            } finally {
                stalled.signal("CONT");
            }

            for (int i = 0; i < MIXES.size(); i++) {
                String id = "s" + i;
                await().atMost(Duration.ofSeconds(60)).alias(id + " caught up: all events got or told as missed")
                        .until(() -> got(stalled, id) + toldMissed(stalled, id) >= EVENTS
                                || !stalled.events(id, "disconnect").isEmpty());
                JsonNode p = stalled.report(id).path("origins").path("P");
                String what = id + " " + MIXES.get(i) + ": " + p.toPrettyString().replaceAll("\\s+", " ") + ", told "
                        + dropped(stalled, id) + ", disconnects " + stalled.events(id, "disconnect");
                assertThat(stalled.events(id, "disconnect")).as(what).isEmpty();
                assertThat(toldMissed(stalled, id)).as(what + ": the count told").isPositive();
                assertThat(got(stalled, id) + toldMissed(stalled, id)).as(what + ": got plus missed").isEqualTo(EVENTS);
                assertThat(p.path("max").asInt()).as(what + ": the newest arrived").isEqualTo(EVENTS - 1);
                assertThat(p.path("firstOutOfOrder").asInt()).as(what + ": in order").isZero();
                assertThat(p.path("duplicates").asInt() + p.path("redelivered").asInt()).as(what).isZero();
            }
            // the reading client is under the same policy: on a quiet machine it misses nothing, on a busy one it may
            // fall more than lag-bytes (10 events) behind the stream for a moment, and is then told what it missed
            await().atMost(Duration.ofSeconds(60)).until(() -> got(driver, "reader") + toldMissed(driver, "reader") >= EVENTS);
            JsonNode r = driver.report("reader").path("origins").path("P");
            String reader = "the reading client: " + r.toPrettyString().replaceAll("\\s+", " ") + ", told "
                    + dropped(driver, "reader");
            assertThat(got(driver, "reader") + toldMissed(driver, "reader")).as(reader).isEqualTo(EVENTS);
            assertThat(r.path("max").asInt()).as(reader).isEqualTo(EVENTS - 1);
            assertThat(r.path("firstOutOfOrder").asInt()).as(reader).isZero();
            assertThat(driver.events("reader", "disconnect")).as(reader).isEmpty();

            long told = toldMissed(driver, "reader");
            for (int i = 0; i < MIXES.size(); i++) {
                told += toldMissed(stalled, "s" + i);
            }
            long counted = told;
            await().atMost(Duration.ofSeconds(10)).alias("the figure counts what the clients were told")
                    .until(() -> sum(cluster, "slowConsumerDrops") == counted);
            assertThat(sum(cluster, "slowConsumersLagged") + sum(cluster, "slowConsumersShed")
                    + sum(cluster, "bufferOverflows")).as("sessions closed for their client's lag").isZero();
            UnreadClientIT.report("drop-oldest: 3 official clients stopped during " + EVENTS + " x " + SIZE / 1000
                    + " KB: missed " + (told - toldMissed(driver, "reader")) + " in all, were told so, got the newest in "
                    + "order, none disconnected; the reading client missed " + toldMissed(driver, "reader"));
        }
    }

    /**
     * The same with Chromium tabs on the official browser client, one per transport mix, each in a browser context of
     * its own: their main thread is kept busy for 10 s (a frozen tab reads nothing) while a stream of 1,000 events of
     * 20 KB is broadcast to their room. Each tab then gets the newest events in order without a duplicate and
     * {@code qsio:dropped} counts that add up to what it missed; none is disconnected.
     */
    @Test
    void frozenChromiumTabsMissTheOldestAndAreToldHowMany() throws Exception {
        int events = 1000;
        // a tab busy for 10 s answers no ping meanwhile: the server's default heartbeat (25 s + 20 s) lets it be
        try (ClusterProcess cluster = ClusterProcess.start(UnreadClientIT.JAR, 2, policy(), "drop-oldest-chromium");
                ScriptProcess tabs = ScriptProcess.start("browser-slow.mjs", cluster.url());
                ClientDriver driver = ClientDriver.start()) {
            tabs.next("ready");
            driver.connect("publisher", cluster.url(), Map.of("transports", List.of("websocket")));
            driver.await("publisher", "connect");
            long drops = sum(cluster, "slowConsumerDrops");

            tabs.ask("block 10000", "blocked");
            driver.call("publisher", 120_000, "heavy-stream", "P", events, 2, "big", SIZE);
            // the workers report their figures with their heartbeat
            await().atMost(Duration.ofSeconds(10)).alias("dropped for the frozen tabs while the stream went on")
                    .until(() -> sum(cluster, "slowConsumerDrops") > drops);

            await().atMost(Duration.ofSeconds(90)).alias("every tab caught up: all events got or told as missed")
                    .until(() -> allCaughtUp(tabs.ask("report", "report").path("tabs"), events));
            long told = 0;
            for (JsonNode t : tabs.ask("report", "report").path("tabs")) {
                String what = "tab " + t.toString().replaceAll("\\s+", " ");
                long missed = missed(t);
                told += missed;
                assertThat(t.path("disconnects")).as(what).isEmpty();
                assertThat(t.path("connects").asInt()).as(what).isEqualTo(1);
                assertThat(missed).as(what + ": the count told").isPositive();
                assertThat(t.path("distinct").asInt() + missed).as(what + ": got plus missed").isEqualTo(events);
                assertThat(t.path("max").asInt()).as(what + ": the newest arrived").isEqualTo(events - 1);
                assertThat(t.path("outOfOrder").asInt()).as(what + ": in order").isZero();
                assertThat(t.path("duplicates").asInt()).as(what).isZero();
            }
            long counted = told;
            await().atMost(Duration.ofSeconds(10)).alias("the figure counts what the tabs were told")
                    .until(() -> sum(cluster, "slowConsumerDrops") - drops == counted);
            assertThat(sum(cluster, "slowConsumersLagged") + sum(cluster, "slowConsumersShed")
                    + sum(cluster, "bufferOverflows")).as("sessions closed for their client's lag").isZero();
            UnreadClientIT.report("drop-oldest: 3 Chromium tabs (WebSocket, polling, polling then WebSocket) frozen for "
                    + "10 s during " + events + " x " + SIZE / 1000 + " KB: missed " + told + " in all, were told so, "
                    + "got the newest in order, none disconnected");
        }
    }

    /**
     * The policy for the main namespace alone, with the server's default heartbeat: at most 200 KB held of what a slow
     * client may miss, and a lag rule (1 s) it must not meet.
     */
    private static Map<String, String> policy() {
        Map<String, String> props = new HashMap<>(ClusterProcess.DEFAULT_HEARTBEAT);
        props.put("quarkus.socketio.slow-consumer.namespace.\"/\".policy", "drop-oldest");
        props.put("quarkus.socketio.slow-consumer.lag-bytes", "200000");
        props.put("quarkus.socketio.slow-consumer.max-lag", "1s");
        props.put("quarkus.socketio.slow-consumer.check-interval", "100ms");
        // what a client may miss does not count toward the bound of what a session holds: 10 MB by default, 2 MB here
        props.put("quarkus.socketio.max-buffered-bytes", "2000000");
        return props;
    }

    private static boolean allCaughtUp(JsonNode tabs, int events) {
        for (JsonNode t : tabs) {
            if (t.path("distinct").asInt() + missed(t) < events && t.path("disconnects").isEmpty()) {
                return false;
            }
        }
        return true;
    }

    private static long missed(JsonNode tab) {
        long sum = 0;
        for (JsonNode n : tab.path("dropped")) {
            sum += n.asLong();
        }
        return sum;
    }

    /** Distinct events of the stream a client got. */
    private static int got(ClientDriver driver, String id) {
        return driver.report(id).path("origins").path("P").path("distinct").asInt();
    }

    /** The counts of the {@code qsio:dropped} events a client got. */
    private static List<Integer> dropped(ClientDriver driver, String id) {
        return driver.events(id, "event").stream().filter(e -> "qsio:dropped".equals(e.path("name").asText()))
                .map(e -> e.path("args").path(0).asInt()).toList();
    }

    private static long toldMissed(ClientDriver driver, String id) {
        return dropped(driver, id).stream().mapToLong(Integer::longValue).sum();
    }

    private static long sum(ClusterProcess cluster, String figure) {
        return cluster.workers().stream().mapToLong(w -> w.path("stats").path("engine").path(figure).asLong()).sum();
    }
}
