package dev.qsio.it.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.qsio.it.support.ClientDriver;
import dev.qsio.it.support.ClusterProcess;
import dev.qsio.it.support.FrameSocket;
import dev.qsio.it.support.RawHttp;
import dev.qsio.it.support.RedisServer;
import dev.qsio.testkit.Transport;

/**
 * The packaged application as a primary with two workers: sockets authenticated with tokens on both workers, and
 * {@code fetchSockets()} from either worker sees every socket's identity (name and roles, not credentials) and the
 * anonymous ones as anonymous; and two hosts on one Redis, each seeing the other's sockets' identities.
 */
class ClusterIdentityIT {

    static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar");
    static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void fetchSocketsSeesTheIdentitiesOfBothWorkers() throws Exception {
        try (ClusterProcess cluster = ClusterProcess.launch(JAR, 2, Map.of(), "security-cluster");
                SecureClients clients = new SecureClients()) {
            cluster.awaitReady(2);
            List<SecureClients.Client> sockets = new ArrayList<>();
            List<String> expected = new ArrayList<>();
            TreeSet<Integer> workers = new TreeSet<>();
            // sockets until both workers hold some (bounded): the kernel spreads new connections over them
            for (int i = 0; i < 40 && (i < 4 || workers.size() < 2); i++) {
                String user = "user" + i;
                SecureClients.Client s = clients.open(cluster.url() + "/", new Transport[] { Transport.WEBSOCKET }, null,
                        Tokens.valid(user, i % 2 == 0 ? "user" : "admin"));
                assertThat(SecureClients.connect(s)).isNull();
                workers.add(SecureClients.call(s, "worker").asInt());
                sockets.add(s);
                expected.add(user + " [" + (i % 2 == 0 ? "user" : "admin") + "]");
            }
            assertThat(workers).as("workers holding sockets").containsExactly(1, 2);
            SecureClients.Client anonymous = clients.open(cluster.url() + "/", new Transport[] { Transport.WEBSOCKET }, null, null);
            assertThat(SecureClients.connect(anonymous)).isNull();
            expected.add("anonymous");
            for (SecureClients.Client from : List.of(sockets.get(0), sockets.get(sockets.size() - 1), anonymous)) {
                JsonNode seen = SecureClients.call(from, "everyone");
                List<String> names = new ArrayList<>();
                seen.forEach(name -> names.add(name.asText()));
                assertThat(names).containsExactlyInAnyOrderElementsOf(expected);
            }
        }
    }

    @Test
    void fetchSocketsSeesTheIdentitiesOfAnotherHostOverRedis() throws Exception {
        try (RedisServer redis = RedisServer.start("security-hosts");
                ClusterProcess hostA = ClusterProcess.launch(JAR, 1, host("host-a", redis), "security-host-a");
                ClusterProcess hostB = ClusterProcess.launch(JAR, 1, host("host-b", redis), "security-host-b");
                SecureClients clients = new SecureClients()) {
            hostA.awaitReady(1);
            hostB.awaitReady(1);
            await().atMost(Duration.ofSeconds(10)).until(() -> redis.subscribers("socket.io-request#/#") == 2);
            SecureClients.Client onA = clients.open(hostA.url() + "/", new Transport[] { Transport.WEBSOCKET }, null, Tokens.valid("ann", "admin"));
            SecureClients.Client onB = clients.open(hostB.url() + "/", new Transport[] { Transport.POLLING }, Tokens.valid("ben", "user"), null);
            assertThat(SecureClients.connect(onA)).isNull();
            assertThat(SecureClients.connect(onB)).isNull();
            for (SecureClients.Client from : List.of(onA, onB)) {
                JsonNode seen = SecureClients.call(from, "everyone");
                assertThat(List.of(seen.get(0).asText(), seen.get(1).asText())).containsExactly("ann [admin]", "ben [user]");
            }
        }
    }

    /**
     * A session whose handshake (polling, on host A) carried a bearer token is taken over by host B, which receives
     * its WebSocket upgrade without any header (as from a browser, which cannot set one on a WebSocket): on B the
     * socket is still who the handshake said, with its roles, and its role-guarded events are let through.
     */
    @Test
    void aSessionTakenOverByAnotherHostKeepsItsHandshakesIdentity() throws Exception {
        // this raw client answers no ping: with the test application's 2 s heartbeat, a loaded machine (load average
        // 30) took longer than the 4 s it allows between the handshake and the upgrade, and host A closed the session
        Map<String, String> props = new HashMap<>(ClusterProcess.DEFAULT_HEARTBEAT);
        // the session waits for the upgrade long enough, however slow the machine, so that host B takes it over
        props.put("quarkus.socketio.cluster.delayed-connection-timeout", "20s");
        try (RedisServer redis = RedisServer.start("security-takeover");
                ClusterProcess hostA = ClusterProcess.launch(JAR, 1, with(host("host-a", redis), props), "security-takeover-a");
                ClusterProcess hostB = ClusterProcess.launch(JAR, 1, with(host("host-b", redis), props), "security-takeover-b")) {
            hostA.awaitReady(1);
            hostB.awaitReady(1);
            await().atMost(Duration.ofSeconds(10)).until(() -> redis.subscribers("socket.io-request#/#") == 2);
            String polling = hostA.url() + "/socket.io/?EIO=4&transport=polling";
            HttpResponse<String> handshake = RawHttp.request("GET", polling, null, "Authorization",
                    "Bearer " + Tokens.valid("ben", "admin"));
            assertThat(handshake.statusCode()).isEqualTo(200);
            String sid = JSON.readTree(handshake.body().substring(1)).get("sid").asText();
            assertThat(RawHttp.post(polling + "&sid=" + sid, "40").body()).isEqualTo("ok");
            try (FrameSocket ws = FrameSocket.open(hostB.port(), "/socket.io/?EIO=4&transport=websocket&sid=" + sid, 0)) {
                ws.sendText("2probe");
                assertThat(ws.next().text()).isEqualTo("3probe");
                ws.sendText("5");
                assertThat(ws.nextTextStartingWith("40")).contains("\"sid\"");
                ws.sendText("421[\"node\"]");
                assertThat(ws.nextTextStartingWith("431")).as("the session moved to host B").isEqualTo("431[\"host-b\"]");
                ws.sendText("422[\"whoami\"]");
                assertThat(ws.nextTextStartingWith("432")).isEqualTo("432[\"ben\"]");
                ws.sendText("423[\"admin-only\"]");
                assertThat(ws.nextTextStartingWith("433")).isEqualTo("433[\"welcome, admin\"]");
            }
        }
    }

    /**
     * A socket that recovers its session after losing its connection is who its token says on the new connection
     * (the client sends its auth again with the recovery data; the token is verified again), on every transport.
     */
    @Test
    void aRecoveredSocketIsStillWhoItsTokenSays() throws Exception {
        try (ClusterProcess single = ClusterProcess.startSingle(JAR,
                Map.of("quarkus.socketio.connection-state-recovery.enabled", "true"), "security-recovery");
                ClientDriver driver = ClientDriver.start()) {
            Map<String, Object> auth = Map.of("token", Tokens.valid("cy", "admin"));
            for (String transport : List.of("websocket", "polling")) {
                String t = "cy-" + transport;
                driver.connect(t, single.url(), Map.of("transports", List.of(transport), "auth", auth));
                String sid = driver.await(t, "connect").get("sid").asText();
                assertThat(driver.call(t, 10_000, "whoami").get(0).asText()).isEqualTo("cy");
                // something to recover from: the client recovers from the offset of the last event it got
                driver.emit(t, "greet");
                assertThat(driver.awaitEmit(t, "greeting").get("args").get(0).asText()).isEqualTo("cy");
                driver.dropTransport(t);
                await().atMost(Duration.ofSeconds(15)).until(() -> driver.events(t, "connect").size() == 2);
                JsonNode again = driver.events(t, "connect").get(1);
                assertThat(again.get("recovered").asBoolean()).as(again.toString()).isTrue();
                assertThat(again.get("sid").asText()).isEqualTo(sid);
                assertThat(driver.call(t, 10_000, "whoami").get(0).asText()).isEqualTo("cy");
                assertThat(driver.call(t, 10_000, "admin-only").get(0).asText()).isEqualTo("welcome, admin");
            }
        }
    }

    static Map<String, String> with(Map<String, String> base, Map<String, String> more) {
        Map<String, String> all = new HashMap<>(base);
        all.putAll(more);
        return all;
    }

    static Map<String, String> host(String node, RedisServer redis) {
        return Map.of("quarkus.socketio.bus", "redis", "quarkus.socketio.redis.url", redis.url(),
                "quarkus.socketio.cluster.node-id", node);
    }
}
