package dev.qsio.it.features.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.qsio.it.support.ClientDriver;
import dev.qsio.it.support.ClusterProcess;
import dev.qsio.it.support.Haproxy;
import dev.qsio.it.support.RedisServer;

/**
 * A host's death across hosts: two hosts of two workers each on the Redis bus, with connection state recovery, behind
 * HAProxy round robin without stickiness (the documented configuration). 120 clients (a third polling then upgrading,
 * a third WebSocket only, a third polling only) receive a stream of 200 numbered broadcasts a second published on host
 * A; then host B is SIGKILLed whole (primary and workers). The WebSocket clients of host A see nothing; the clients of
 * host B, and the polling clients of host A whose request host B held at that moment, reconnect and recover their
 * session, so that no client misses or repeats a broadcast.
 */
class HostDeathIT {

    static final Path CONFIGS = Path.of("../../docs/modules/ROOT/examples/load-balancers");
    static final int CLIENTS = 120;

    @Test
    void aHostsDeathTouchesOnlyTheConnectionsItHeld() {
        try (RedisServer redis = RedisServer.start("host-death")) {
            Map<String, String> a = properties("host-a", redis);
            Map<String, String> b = properties("host-b", redis);
            try (ClusterProcess hostA = ClusterProcess.launch(ClusterApiIT.JAR, 2, a, "host-death-a");
                    ClusterProcess hostB = ClusterProcess.launch(ClusterApiIT.JAR, 2, b, "host-death-b")) {
                hostA.awaitReady(2);
                hostB.awaitReady(2);
                try (Haproxy proxy = Haproxy.start(CONFIGS.resolve("haproxy-round-robin.cfg"), hostA, hostB,
                        "host-death"); ClientDriver driver = ClientDriver.start()) {
                    run(driver, proxy, hostA, hostB);
                }
            }
        }
    }

    static Map<String, String> properties(String node, RedisServer redis) {
        Map<String, String> p = new HashMap<>(MultiHostIT.hostProperties(node, redis));
        p.put("quarkus.socketio.connection-state-recovery.enabled", "true");
        p.put("quarkus.socketio.ping-interval", "25s");
        p.put("quarkus.socketio.ping-timeout", "20s");
        return p;
    }

    private static void run(ClientDriver driver, Haproxy proxy, ClusterProcess hostA, ClusterProcess hostB) {
        List<String> clients = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            String id = "c" + i;
            clients.add(id);
            Map<String, Object> opts = new HashMap<>(WorkerDeathIT.options(i));
            driver.connectTracking(id, proxy.url(), opts, "n");
        }
        for (String id : clients) {
            driver.await(id, "connect");
            ClusterApiIT.ack(driver, id, "join", "stream");
        }
        // the upgrades are done and the sessions settled where they run
        for (int i = 0; i < CLIENTS; i++) {
            if (WorkerDeathIT.kind(i).equals("upgrade")) {
                String id = "c" + i;
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(driver.events(id, "upgrade"))
                        .as(() -> id + " upgraded: " + driver.events(e -> id.equals(e.path("id").asText())))
                        .isNotEmpty());
            }
        }
        Map<String, String> hostOf = new HashMap<>();
        for (String id : clients) {
            hostOf.put(id, ClusterApiIT.ack(driver, id, "where").get(0).asText().replaceAll("/.*", ""));
        }
        driver.connect("p", hostA.url(), Map.of("transports", List.of("websocket")));
        driver.await("p", "connect");
        int count = 2000;
        driver.emitWithAck("p", "stream", 600_000, "stream", "P", count, WorkerDeathIT.INTERVAL_MS, "stream");
        String witness = clients.stream().filter(c -> hostOf.get(c).equals("host-a")
                && WorkerDeathIT.kind(Integer.parseInt(c.substring(1))).equals("websocket")).findFirst().orElseThrow();
        await().atMost(Duration.ofSeconds(60)).until(() -> WorkerDeathIT.tracked(driver, witness, "P") >= 600);

        // WebSockets that host B accepted for sessions of host A (upgrades that came after the owner's delayed
        // connection window): host B holds their connections, so they end with it
        long relayedByB = 0;
        for (JsonNode w : hostB.workers()) {
            relayedByB += w.path("stats").path("engine").path("upgradesForwarded").asLong();
        }
        // the whole host goes at once: its workers and its primary
        hostB.rememberDescendants();
        for (JsonNode w : hostB.workers()) {
            ClusterProcess.signal(w.path("pid").asLong(), "KILL");
        }
        ClusterProcess.signal(hostB.pid(), "KILL");

        driver.awaitAck("p", "stream");
        for (String c : clients) {
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(driver.connectedNow(c))
                    .as(() -> c + " connected again: " + driver.events(e -> c.equals(e.path("id").asText())))
                    .isTrue());
        }
        Map<String, Integer> disturbed = new HashMap<>();
        List<String> ofA = clients.stream().filter(c -> hostOf.get(c).equals("host-a")).toList();
        List<String> ofB = clients.stream().filter(c -> hostOf.get(c).equals("host-b")).toList();
        for (String c : clients) {
            WorkerDeathIT.assertComplete(driver, c, count);
            List<JsonNode> connects = driver.events(c, "connect");
            if (connects.size() > 1) {
                disturbed.merge(hostOf.get(c) + " " + WorkerDeathIT.kind(Integer.parseInt(c.substring(1))), 1,
                        Integer::sum);
                assertThat(connects.get(connects.size() - 1).get("recovered").asBoolean())
                        .as(c + " recovered: " + connects).isTrue();
            }
        }
        List<String> webSocketsOfADisturbed = ofA.stream()
                .filter(c -> !WorkerDeathIT.kind(Integer.parseInt(c.substring(1))).equals("polling"))
                .filter(c -> !driver.events(c, "disconnect").isEmpty()).toList();
        long relayed = relayedByB;
        assertThat(webSocketsOfADisturbed.size()).as(() -> "WebSocket clients of host A disturbed "
                + webSocketsOfADisturbed + ": at most those whose WebSocket host B relayed (" + relayed
                + "); what they saw: " + webSocketsOfADisturbed.stream().map(c -> driver.events(e -> c.equals(
                        e.path("id").asText()) && !"event".equals(e.path("event").asText())
                        && !"ack".equals(e.path("event").asText()))).toList())
                .isLessThanOrEqualTo((int) relayedByB);
        for (String c : ofB) {
            assertThat(driver.events(c, "disconnect")).as(c + " (on host B)").isNotEmpty();
        }
        System.out.println("[host-death-report] two hosts of 2 workers behind HAProxy round robin, " + CLIENTS
                + " clients, " + count + " broadcasts at 200/s; host B SIGKILLed: sessions on host A " + ofA.size()
                + ", on host B " + ofB.size() + "; WebSockets host B relayed to host A: " + relayedByB
                + "; reconnected (host and transports of the session): " + disturbed
                + "; every client got every broadcast once, in order");
    }
}
