package dev.qsio.it.features.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.qsio.it.support.ClientDriver;
import dev.qsio.it.support.ClusterProcess;
import dev.qsio.it.support.ScriptProcess;
import dev.qsio.it.support.Haproxy;
import dev.qsio.it.support.RedisServer;

/**
 * A worker's death ends only the connections it held, for the official Node client as users run it
 * ({@code socket.io-client} with its default options: its polling transport opens a connection per request) and
 * behind a proxy that pools its connections to the host (HAProxy {@code http-reuse always}, so that one connection
 * carries requests of sessions of different workers). 200 clients (a third polling then upgrading, a third WebSocket
 * only, a third polling only) connect at once and receive a stream of 200 numbered broadcasts a second; one worker
 * is SIGKILLed, several times per run. The clients of the other workers see no disconnection and every broadcast, in
 * order, once; the clients of the killed worker reconnect, and, on the Redis bus with connection state recovery, miss
 * nothing either. How long they take is a figure of the product, measured by {@code bench/failover}; here it is only
 * bounded by what would be a bug (far above socket.io-client's reconnection delay).
 */
class WorkerDeathIT {

    static final int CLIENTS = Integer.getInteger("death.clients", 200);
    /** 200 broadcasts a second. */
    static final int INTERVAL_MS = 5;

    static void report(String line) {
        System.out.println("[worker-death-report] " + line);
    }

    /** Client {@code i}'s transports: polling then upgrade, WebSocket only, polling only. */
    static String kind(int i) {
        return switch (i % 3) {
            case 0 -> "upgrade";
            case 1 -> "websocket";
            default -> "polling";
        };
    }

    /** Client {@code i}'s options: its transports, nothing else (the client's defaults, as users run it). */
    static Map<String, Object> options(int i) {
        Map<String, Object> opts = new HashMap<>();
        switch (kind(i)) {
            case "websocket" -> opts.put("transports", List.of("websocket"));
            case "polling" -> opts.put("transports", List.of("polling"));
            default -> {
            }
        }
        return opts;
    }

    /** The slowest reconnection of a killed worker's clients that is not a bug: their client retries within 1.5 s. */
    static final long RECONNECTION_BOUND_MS = 10_000;
    /** HAProxy in front of one host, its connections to the host pooled and shared by all clients. */
    static final Path POOLING_PROXY = HostDeathIT.CONFIGS.resolve("haproxy-one-host-pooling.cfg");

    /**
     * Three workers, each killed in turn (the publisher's excepted) and one twice, behind the pooling proxy: a killed
     * worker's clients share the proxy's connections with the others'. Clients straight to the host are the other
     * tests'.
     */
    @Test
    void threeWorkersBehindAProxyThatPoolsItsConnections() {
        run(3, Map.of(), "death-pooled", false, true);
    }

    @Test
    void twoWorkersOnRedisWithRecoveryLoseNothing() {
        try (RedisServer redis = RedisServer.start("death-redis")) {
            Map<String, String> props = new HashMap<>(MultiHostIT.hostProperties("host-d", redis));
            props.put("quarkus.socketio.connection-state-recovery.enabled", "true");
            run(2, props, "death-redis", true, false);
        }
    }

    /**
     * Browsers as users run them: 12 Chromium tabs (3 browser contexts of 4, every other tab polling only) on the
     * official browser client, under the broadcast stream; a worker is SIGKILLed. The tabs of the other worker see no
     * disconnection and every broadcast in order; those of the killed one reconnect.
     */
    @Test
    void twoWorkersWithChromiumTabs() throws Exception {
        Map<String, String> props = new HashMap<>();
        props.put("quarkus.socketio.ping-interval", "25s");
        props.put("quarkus.socketio.ping-timeout", "20s");
        props.put("quarkus.socketio.cluster.restart-delay", "3s");
        try (ClusterProcess cluster = ClusterProcess.start(ClusterApiIT.JAR, 2, props, "death-chromium");
                ClientDriver driver = ClientDriver.start()) {
            Placement placed = placeTabs(cluster.url());
            try (Tabs tabs = placed.tabs()) {
                int survivor = placed.survivor();
                int victim = 3 - survivor;
                Map<Integer, List<JsonNode>> byWorker = placed.byWorker();
                // the publisher stays on the surviving worker
                String publisher = null;
                for (int i = 0; publisher == null && i < 40; i++) {
                    String p = "p" + i;
                    driver.connect(p, cluster.url(), Map.of("transports", List.of("websocket")));
                    driver.await(p, "connect");
                    if (ClusterApiIT.ack(driver, p, "whoami").get(0).asInt() == survivor) {
                        publisher = p;
                    } else {
                        driver.disconnect(p);
                    }
                }
                assertThat(publisher).isNotNull();
                int count = 200 * 12;
                driver.emitWithAck(publisher, "stream", 600_000, "stream", "P", count, INTERVAL_MS, "stream");
                await().atMost(Duration.ofSeconds(60)).until(() -> tabs.report().stream()
                        .allMatch(t -> t.path("received").asInt() >= 400));
                ProcessHandle.of(cluster.worker(victim).path("pid").asLong()).orElseThrow().destroyForcibly();
                await().atMost(Duration.ofSeconds(30)).alias("the tabs of worker " + victim + " reconnect")
                        .until(() -> tabs.report().stream().filter(t -> byWorker.get(victim).stream()
                                .anyMatch(v -> v.path("tab").asInt() == t.path("tab").asInt()))
                                .allMatch(t -> t.path("connects").asInt() >= 2));
                // the stream goes on (12 s at its pace, more on a loaded machine): the surviving worker's tabs get it
                await().atMost(Duration.ofSeconds(120)).until(() -> tabs.report().stream()
                        .filter(t -> t.path("worker").asInt() == survivor && t.path("connects").asInt() == 1)
                        .allMatch(t -> t.path("received").asInt() >= count));
                JsonNode done = driver.awaitAck(publisher, "stream");
                assertThat(done.has("error")).as("the stream " + done).isFalse();
                List<JsonNode> survivors = tabs.report().stream().filter(t -> byWorker.get(survivor).stream()
                        .anyMatch(v -> v.path("tab").asInt() == t.path("tab").asInt())).toList();
                assertThat(survivors).as("tabs of worker " + survivor + ", polling only among them")
                        .anyMatch(Tabs::pollingOnly);
                for (JsonNode t : survivors) {
                    assertThat(t.path("disconnects")).as("tab of the surviving worker: " + t).isEmpty();
                    assertThat(t.path("received").asInt()).as(t.toString()).isEqualTo(count);
                    assertThat(t.path("outOfOrder").asInt()).as(t.toString()).isZero();
                }
                report("2 workers, Chromium tabs: " + survivors.size() + " tabs of the surviving worker ("
                        + survivors.stream().filter(Tabs::pollingOnly).count() + " polling only) saw no "
                        + "disconnection and all " + count + " broadcasts in order; the " + byWorker.get(victim).size()
                        + " tabs of the killed worker reconnected (placement attempts: " + placed.attempts() + ")");
            }
        }
    }

    /** Open tabs, the worker each landed on, and the worker to keep: the one with the most polling-only tabs. */
    record Placement(Tabs tabs, Map<Integer, List<JsonNode>> byWorker, int survivor, int attempts) {
    }

    /**
     * Opens the tabs until both workers hold some and the survivor holds a polling-only tab. Which worker a tab's
     * session lands on is the kernel's choice per connection, and a browser context's tabs share kept-alive
     * connections, so a context's polling-only tabs often land together: the worker to kill is chosen from where
     * they are (12 tabs on one worker, which would leave nothing to test, make a new set of tabs).
     */
    static Placement placeTabs(String url) throws java.io.IOException {
        List<String> seen = new ArrayList<>();
        for (int attempt = 1; attempt <= 5; attempt++) {
            Tabs tabs = Tabs.open(url, 3, 4);
            boolean kept = false;
            try {
                List<JsonNode> ready = tabs.ready();
                Map<Integer, List<JsonNode>> byWorker = new HashMap<>();
                for (JsonNode t : ready) {
                    byWorker.computeIfAbsent(t.path("worker").asInt(), w -> new ArrayList<>()).add(t);
                }
                seen.add(ready.toString());
                assertThat(byWorker.keySet()).as("workers of the tabs").isSubsetOf(1, 2);
                if (byWorker.size() == 2) {
                    int survivor = pollingOnly(byWorker, 1) >= pollingOnly(byWorker, 2) ? 1 : 2;
                    if (pollingOnly(byWorker, survivor) > 0) {
                        kept = true;
                        return new Placement(tabs, byWorker, survivor, attempt);
                    }
                }
            } finally {
                if (!kept) {
                    tabs.close();
                }
            }
        }
        throw new AssertionError("tabs on both workers, a polling-only one among them, in 5 attempts: " + seen);
    }

    static long pollingOnly(Map<Integer, List<JsonNode>> byWorker, int worker) {
        return byWorker.getOrDefault(worker, List.of()).stream().filter(Tabs::pollingOnly).count();
    }

    /** The Chromium tabs of {@code browser-tabs.mjs}. */
    static final class Tabs implements AutoCloseable {
        private final ScriptProcess script;

        private Tabs(ScriptProcess script) {
            this.script = script;
        }

        static Tabs open(String url, int contexts, int perContext) throws java.io.IOException {
            return new Tabs(ScriptProcess.start("browser-tabs.mjs", url, String.valueOf(contexts),
                    String.valueOf(perContext)));
        }

        static boolean pollingOnly(JsonNode tab) {
            return tab.path("transports").size() == 1;
        }

        List<JsonNode> ready() throws java.io.IOException {
            List<JsonNode> list = new ArrayList<>();
            script.next("ready").path("tabs").forEach(list::add);
            return list;
        }

        List<JsonNode> report() throws java.io.IOException {
            List<JsonNode> list = new ArrayList<>();
            script.ask("report", "report").path("tabs").forEach(list::add);
            return list;
        }

        @Override
        public void close() {
            script.close();
        }
    }

    private void run(int workers, Map<String, String> properties, String name, boolean recovery, boolean proxied) {
        Map<String, String> props = new HashMap<>(properties);
        // the server's default heartbeat (the test application's is short for other tests)
        props.put("quarkus.socketio.ping-interval", System.getProperty("death.ping-interval", "25s"));
        props.put("quarkus.socketio.ping-timeout", System.getProperty("death.ping-timeout", "20s"));
        // The killed worker's replacement boots after its clients have reconnected to the others: on this 2-CPU
        // machine a JVM starting during the reconnection storm (restart-delay 1s) once pushed it to 2.4 s.
        props.put("quarkus.socketio.cluster.restart-delay", System.getProperty("death.restart-delay", "3s"));
        try (ClusterProcess cluster = ClusterProcess.start(ClusterApiIT.JAR, workers, props, name);
                Haproxy proxy = proxied ? Haproxy.start(POOLING_PROXY, cluster, name) : null;
                ClientDriver driver = ClientDriver.start()) {
            String url = proxied ? proxy.url() : cluster.url();
            List<String> clients = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                String id = "c" + i;
                clients.add(id);
                driver.connectTracking(id, url, options(i), "n");
            }
            for (String id : clients) {
                driver.await(id, "connect");
            }
            driver.callAll(clients, 15_000, "join", "stream");
            Map<String, Integer> workerOf = where(driver, clients);
            // a client of worker 1 from the start: never disturbed, so it sees the whole stream
            String witness = clients.stream().filter(c -> workerOf.get(c) == 1).findFirst().orElseThrow();
            // the publisher stays on worker 1, which is never killed
            String publisher = null;
            for (int i = 0; publisher == null && i < 40; i++) {
                String p = "p" + i;
                driver.connect(p, url, Map.of("transports", List.of("websocket")));
                driver.await(p, "connect");
                if (ClusterApiIT.ack(driver, p, "whoami").get(0).asInt() == 1) {
                    publisher = p;
                } else {
                    driver.disconnect(p);
                }
            }
            assertThat(publisher).as("a publisher on worker 1").isNotNull();
            // every worker but the publisher's killed, and one of them once more after its replacement took clients
            // again
            int kills = workers == 2 ? 2 : 3;
            int count = 200 * (3 + 4 * kills);
            driver.emitWithAck(publisher, "stream", 600_000, "stream", "P", count, INTERVAL_MS, "stream");

            Set<String> disturbed = new HashSet<>();
            List<Long> reconnectMs = new ArrayList<>();
            for (int k = 0; k < kills; k++) {
                int victim = 2 + k % (workers - 1);
                int progress = (k + 1) * 800;
                await().atMost(Duration.ofSeconds(60)).alias("the stream reaches " + progress)
                        .until(() -> tracked(driver, witness, "P") >= progress);
                cluster.awaitReady(workers);
                if (k > 0) {
                    // the killed worker's clients reconnected to the others while it restarted: some of them move
                    // back, as new connections spread over all workers, so that the next victim has clients
                    rebalance(driver, clients, disturbed, workerOf, victim);
                }
                workerOf.putAll(where(driver, clients));
                List<String> victims = clients.stream().filter(c -> workerOf.get(c) == victim).toList();
                Map<String, Integer> connectsBefore = new HashMap<>();
                for (String c : victims) {
                    connectsBefore.put(c, driver.events(c, "connect").size());
                }
                ProcessHandle process = ProcessHandle.of(cluster.worker(victim).path("pid").asLong()).orElseThrow();
                // SIGKILL
                process.destroyForcibly();
                Map<String, Long> back = new HashMap<>();
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                        .alias("the clients of worker " + victim + " reconnect").until(() -> {
                            for (String c : victims) {
                                List<JsonNode> connects = driver.events(c, "connect");
                                if (!back.containsKey(c) && connects.size() > connectsBefore.get(c)) {
                                    // as the client saw it: from losing its connection to being connected again
                                    List<JsonNode> disconnects = driver.events(c, "disconnect");
                                    long lost = disconnects.get(disconnects.size() - 1).path("at").asLong();
                                    back.put(c, connects.get(connects.size() - 1).path("at").asLong() - lost);
                                }
                            }
                            return back.size() == victims.size();
                        });
                long slowest = back.values().stream().mapToLong(Long::longValue).max().orElse(0);
                reconnectMs.add(slowest);
                disturbed.addAll(victims);
                long errors = victims.stream().mapToLong(c -> driver.events(c, "connect_error").size()).sum();
                report(workers + " workers, kill " + (k + 1) + " (worker " + victim + "): its " + victims.size()
                        + " clients " + kinds(victims) + " reconnected within " + slowest + " ms (median "
                        + back.values().stream().sorted().skip(back.size() / 2).findFirst().orElse(0L) + " ms; "
                        + errors + " failed attempts; slowest " + back.entrySet().stream()
                                .sorted(Map.Entry.<String, Long> comparingByValue().reversed()).limit(5)
                                .map(e -> e.getKey() + " (" + kind(Integer.parseInt(e.getKey().substring(1))) + ") "
                                        + e.getValue() + " ms")
                                .toList() + ")");
            }
            JsonNode done = driver.awaitAck(publisher, "stream");
            assertThat(done.has("error")).as("the stream " + done).isFalse();
            cluster.awaitReady(workers);

            List<String> undisturbed = clients.stream().filter(c -> !disturbed.contains(c)).toList();
            assertThat(undisturbed).as("clients never on a killed worker").isNotEmpty();
            for (String c : undisturbed) {
                assertThat(driver.events(c, "disconnect")).as(c + " (" + kind(Integer.parseInt(c.substring(1)))
                        + ") was on no killed worker").isEmpty();
                assertComplete(driver, c, count);
            }
            assertThat(reconnectMs).as("after each kill, the killed worker's clients are back (the time is measured by "
                    + "bench/failover; this bounds a bug)").allMatch(ms -> ms <= RECONNECTION_BOUND_MS);
            if (recovery) {
                for (String c : disturbed) {
                    assertComplete(driver, c, count);
                    List<JsonNode> connects = driver.events(c, "connect");
                    assertThat(connects.get(connects.size() - 1).get("recovered").asBoolean()).as(c + " recovered: " + connects + " " + driver.events(c, "disconnect"))
                            .isTrue();
                }
            }
            JsonNode stats = cluster.cluster();
            long relayed = 0;
            long handedOff = 0;
            for (JsonNode w : stats.path("workers")) {
                relayed += w.path("stats").path("engine").path("upgradesForwarded").asLong();
                handedOff += w.path("stats").path("engine").path("connectionsHandedOff").asLong();
            }
            assertThat(relayed).as("WebSocket sessions relayed through a worker that does not run them").isZero();
            // a killed worker's hand-off links reset in the processes that survive it: closed quietly, not Netty's
            // warning of an error no handler took
            assertThat(cluster.logText()).doesNotContain("reached at the tail of the pipeline");
            report(workers + " workers" + (recovery ? ", Redis bus with recovery" : "")
                    + (proxied ? ", behind HAProxy pooling its connections" : "") + ": " + undisturbed.size()
                    + " clients of the surviving workers (" + kinds(undisturbed) + ") saw no disconnection and all "
                    + count + " broadcasts in order, once" + (recovery ? "; the " + disturbed.size()
                            + " clients of killed workers recovered their sessions and missed none" : "")
                    + "; connections routed by the primary: " + cluster.cluster().path("connections").path("routed")
                    + ", passed on between workers: " + handedOff + " (in the workers alive at the end)");
        }
    }

    /**
     * Makes clients that were already disturbed (a killed worker's) reconnect, until the next victim holds some: the
     * kernel spreads their new connections over the workers.
     */
    static void rebalance(ClientDriver driver, List<String> clients, Set<String> disturbed, Map<String, Integer> workerOf,
            int victim) {
        for (int round = 0; round < 5; round++) {
            workerOf.putAll(where(driver, clients));
            long onVictim = clients.stream().filter(c -> workerOf.get(c) == victim).count();
            if (onVictim >= 10) {
                return;
            }
            List<String> movable = clients.stream().filter(c -> disturbed.contains(c) && workerOf.get(c) != victim).toList();
            Map<String, Integer> connects = new HashMap<>();
            for (String c : movable) {
                connects.put(c, driver.events(c, "connect").size());
                driver.dropTransport(c);
            }
            for (String c : movable) {
                await().atMost(Duration.ofSeconds(30)).until(() -> driver.events(c, "connect").size() > connects.get(c));
            }
        }
    }

    /** The worker of each client (where its handlers run). */
    static Map<String, Integer> where(ClientDriver driver, List<String> clients) {
        Map<String, Integer> workerOf = new HashMap<>();
        driver.callAll(clients, 15_000, "whoami").forEach((c, args) -> workerOf.put(c, args.get(0).asInt()));
        return workerOf;
    }

    static String kinds(List<String> clients) {
        Map<String, Integer> n = new LinkedHashMap<>();
        for (String c : clients) {
            n.merge(kind(Integer.parseInt(c.substring(1))), 1, Integer::sum);
        }
        return n.toString();
    }

    static int tracked(ClientDriver driver, String id, String origin) {
        return driver.report(id).path("origins").path(origin).path("count").asInt();
    }

    static void assertComplete(ClientDriver driver, String id, int count) {
        JsonNode p = driver.report(id).path("origins").path("P");
        String story = id + ": " + p + "; " + driver.events(id, "connect") + " " + driver.events(id, "disconnect");
        assertThat(p.path("count").asInt()).as("received every broadcast: " + story).isEqualTo(count);
        assertThat(p.path("outOfOrder").asInt()).as(story).isZero();
        assertThat(p.path("duplicates").asInt()).as(story).isZero();
    }
}
