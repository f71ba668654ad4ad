package dev.qsio.demo.chat.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.qsio.it.support.ClientDriver;
import dev.qsio.it.support.ClusterProcess;
import dev.qsio.it.support.PostgresServer;
import dev.qsio.it.support.RedisServer;

/**
 * {@code quarkus.socketio.limits.sessions-per-identity} on the packaged demo, with the official Node client and the
 * demo's tokens: a user's connections are capped over the workers of a host (the primary keeps the leases) and over
 * hosts on Redis and on PostgreSQL (the wire's service keeps them). Past the cap the client gets {@code connect_error}
 * with the documented message and data, other users are not touched, a closed connection frees its place at once, a
 * killed worker's places are freed by its primary as soon as it sees the exit, and on Redis and PostgreSQL when their
 * lease runs out.
 */
class IdentityCapIT {

    static final Map<String, String> CAP = Map.of("quarkus.socketio.limits.sessions-per-identity", "2",
            // long enough that a connection right after a worker's death meets its leases still held
            "quarkus.socketio.limits.identity-lease", "10s");

    @Test
    void aUsersConnectionsAreCappedOverTheWorkersOfAHost() throws Exception {
        // the default lease (30 s, renewed every 10 s): a place free within 10 s of the kill was freed by the primary
        Map<String, String> cap = Map.of("quarkus.socketio.limits.sessions-per-identity", "2");
        try (ClusterProcess cluster = ClusterProcess.start(ClusterIT.JAR, 2, cap, "identity-cap");
                ClientDriver driver = ClientDriver.start()) {
            String ann = token(cluster.url(), "ann");
            // ann's two connections on different workers, so that neither worker alone is at the cap
            Map<Integer, String> byWorker = new HashMap<>();
            for (int i = 0; byWorker.size() < 2; i++) {
                assertThat(i).as("connections until one is on each worker").isLessThan(40);
                // a place freed by a closed connection is free once the server saw it close
                String id = awaitPlaceFree(driver, cluster.url(), ann, "ann" + i);
                int worker = driver.awaitEmit(id, "hello").get("args").get(0).get("worker").asInt();
                if (byWorker.putIfAbsent(worker, id) != null) {
                    driver.disconnect(id);
                }
            }
            JsonNode refused = attempt(driver, "ann-third", cluster.url(), ann);
            assertRefused(refused);
            assertThat(attempt(driver, "ben", cluster.url(), token(cluster.url(), "ben")).path("event").asText())
                    .as("another user").isEqualTo("connect");

            // the workers' refusals come with their heartbeat; counted before a worker (maybe the refusing one) dies
            await().atMost(Duration.ofSeconds(10)).until(() -> refused(cluster) >= 1);
            long refusedCount = refused(cluster);

            // the worker of one of ann's connections dies without giving its place up: its primary sees the exit and
            // frees the place, long before the lease (30 s, renewed at most 10 s before the kill) could run out
            long pid = cluster.worker(1).path("pid").asLong();
            long killedAt = System.nanoTime();
            ProcessHandle.of(pid).orElseThrow().destroyForcibly();
            String freed = awaitPlaceFree(driver, cluster.url(), ann, "ann-after-kill");
            long freedAfter = Duration.ofNanos(System.nanoTime() - killedAt).toMillis();
            assertThat(freedAfter).as("the killed worker's place freed by the primary, not by the lease's end")
                    .isLessThan(10_000);
            ClusterIT.report("sessions-per-identity 2 over 2 workers: third connection refused, another user let in; "
                    + "the killed worker's place free after " + freedAfter + " ms (lease 30 s): " + freed
                    + "; refusals counted by the workers: " + refusedCount);
        }
    }

    @Test
    void aUsersConnectionsAreCappedOverHostsOnRedis() throws Exception {
        try (RedisServer redis = RedisServer.start("identity-cap")) {
            Map<String, String> a = new HashMap<>(CAP);
            a.putAll(Map.of("quarkus.socketio.bus", "redis", "quarkus.socketio.redis.url", redis.url(),
                    "quarkus.socketio.cluster.node-id", "host-a"));
            Map<String, String> b = new HashMap<>(a);
            b.put("quarkus.socketio.cluster.node-id", "host-b");
            overHosts(a, b, "redis", () -> redis.command("ZCARD", "socket.io#identity#ann").trim());
        }
    }

    @Test
    void aUsersConnectionsAreCappedOverHostsOnPostgres() throws Exception {
        try (PostgresServer postgres = PostgresServer.start("identity-cap")) {
            Map<String, String> a = new HashMap<>(CAP);
            a.putAll(postgres.datasource());
            a.putAll(Map.of("quarkus.socketio.bus", "postgres", "quarkus.socketio.cluster.node-id", "host-a"));
            Map<String, String> b = new HashMap<>(a);
            b.put("quarkus.socketio.cluster.node-id", "host-b");
            overHosts(a, b, "postgres", () -> postgres.sql("SELECT count(*) FROM socket_io_identity_leases WHERE "
                    + "identity = 'ann' AND expires_at > now()").trim());
        }
    }

    /**
     * The leases out of reach (their Redis stopped): a connection is let in uncounted rather than refused, counted in
     * {@code socketio_identity_leases_unreachable_total}, and a WARN says so.
     */
    @Test
    void whenTheLeasesCannotBeReachedConnectionsAreLetInAndCounted() throws Exception {
        RedisServer redis = RedisServer.start("identity-cap-outage");
        Map<String, String> props = new HashMap<>(CAP);
        props.putAll(Map.of("quarkus.socketio.bus", "redis", "quarkus.socketio.redis.url", redis.url()));
        props.put("quarkus.socketio.limits.sessions-per-identity", "1");
        props.put("quarkus.socketio.cluster.enabled", "false");
        try (ClusterProcess single = ClusterProcess.startSingle(ClusterIT.JAR, props, "identity-cap-outage");
                ClientDriver driver = ClientDriver.start()) {
            String ann = token(single.url(), "ann");
            assertThat(attempt(driver, "ann-1", single.url(), ann).path("event").asText()).isEqualTo("connect");
            assertRefused(attempt(driver, "ann-2", single.url(), ann), 1);
            redis.close();
            JsonNode outage = attempt(driver, "ann-3", single.url(), ann);
            assertThat(outage.path("event").asText()).as("let in while the leases are out of reach: " + outage)
                    .isEqualTo("connect");
            // the meters read the process's figures at most every 500 ms
            await().atMost(Duration.ofSeconds(10)).until(() -> single.text("/q/metrics")
                    .contains("socketio_identity_leases_unreachable_total{worker=\"0\"} 1.0"));
            assertThat(single.text("/q/metrics"))
                    .contains("socketio_connects_limited_total{reason=\"sessions-per-identity\",worker=\"0\"} 1.0");
            await().atMost(Duration.ofSeconds(10)).until(() -> single.logText().contains("the leases could not be reached"));
        } finally {
            redis.close();
        }
    }

    /**
     * Two hosts of one worker each: ann on both is at the cap (two leases where the wire keeps them); a place freed on
     * one host is taken on the other.
     */
    private void overHosts(Map<String, String> a, Map<String, String> b, String wire, Supplier<String> annsLeases)
            throws Exception {
        try (ClusterProcess hostA = ClusterProcess.launch(ClusterIT.JAR, 1, a, "identity-cap-" + wire + "-a");
                ClusterProcess hostB = ClusterProcess.launch(ClusterIT.JAR, 1, b, "identity-cap-" + wire + "-b");
                ClientDriver driver = ClientDriver.start()) {
            hostA.awaitReady(1);
            hostB.awaitReady(1);
            String ann = token(hostA.url(), "ann");
            assertThat(attempt(driver, "ann-a", hostA.url(), ann).path("event").asText()).isEqualTo("connect");
            assertThat(attempt(driver, "ann-b", hostB.url(), ann).path("event").asText()).isEqualTo("connect");
            assertThat(annsLeases.get()).as("ann's leases where the wire keeps them").endsWith("2");
            assertRefused(attempt(driver, "ann-a2", hostA.url(), ann));
            assertRefused(attempt(driver, "ann-b2", hostB.url(), ann));
            assertThat(attempt(driver, "ben", hostA.url(), token(hostA.url(), "ben")).path("event").asText())
                    .isEqualTo("connect");
            driver.disconnect("ann-b");
            String onA = awaitPlaceFree(driver, hostA.url(), ann, "ann-a3");

            // host B's worker dies holding ann's new place there
            driver.disconnect(onA);
            awaitPlaceFree(driver, hostB.url(), ann, "ann-b3");
            long killedAt = System.nanoTime();
            ProcessHandle.of(hostB.worker(1).path("pid").asLong()).orElseThrow().destroyForcibly();
            JsonNode right = attempt(driver, "ann-a4", hostA.url(), ann);
            assertThat(Duration.ofNanos(System.nanoTime() - killedAt).toMillis()).isLessThan(6_000);
            assertRefused(right);
            awaitPlaceFree(driver, hostA.url(), ann, "ann-a5");
            ClusterIT.report("sessions-per-identity 2 over 2 hosts on " + wire + ": refused past the cap on both hosts, "
                    + "a place freed on one taken on the other, a killed worker's place free after "
                    + Duration.ofNanos(System.nanoTime() - killedAt).toSeconds() + " s (lease 10 s)");
        }
    }

    private static long refused(ClusterProcess cluster) {
        return cluster.workers().stream()
                .mapToLong(w -> w.path("stats").path("socketio").path("connectsRefusedIdentity").asLong()).sum();
    }

    private static void assertRefused(JsonNode outcome) {
        assertRefused(outcome, 2);
    }

    private static void assertRefused(JsonNode outcome, int limit) {
        assertThat(outcome.path("event").asText()).as(outcome.toString()).isEqualTo("connect_error");
        assertThat(outcome.path("message").asText()).isEqualTo("Too many sessions for this user");
        assertThat(outcome.path("data").path("limit").asInt()).as(outcome.toString()).isEqualTo(limit);
    }

    /** Tries connections of {@code token} until one is let in (each refused one closes); the id of that one. */
    private static String awaitPlaceFree(ClientDriver driver, String url, String token, String prefix) {
        List<String> tried = new ArrayList<>();
        await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(250)).until(() -> {
            String id = prefix + "-" + tried.size();
            tried.add(id);
            JsonNode outcome = attempt(driver, id, url, token);
            if ("connect".equals(outcome.path("event").asText())) {
                return true;
            }
            assertRefused(outcome);
            driver.disconnect(id);
            return false;
        });
        return tried.get(tried.size() - 1);
    }

    /** One connection of the official client with {@code token} in its auth, without reconnection: its outcome. */
    static JsonNode attempt(ClientDriver driver, String id, String url, String token) {
        driver.connect(id, url, Map.of("transports", List.of("websocket"), "reconnection", false, "auth",
                Map.of("token", token)));
        return driver.await(e -> id.equals(e.path("id").asText())
                && ("connect".equals(e.path("event").asText()) || "connect_error".equals(e.path("event").asText())));
    }

    /** A demo token for {@code user}, from the demo's own endpoint. */
    static String token(String url, String user) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url + "/api/token"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"user\":\"" + user + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return ClientDriver.JSON.readTree(r.body()).get("token").asText();
    }
}
