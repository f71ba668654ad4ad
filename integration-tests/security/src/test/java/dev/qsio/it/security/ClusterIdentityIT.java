package dev.qsio.it.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import org.json.JSONArray;
import org.junit.jupiter.api.Test;

import dev.qsio.it.support.ClusterProcess;
import dev.qsio.it.support.RedisServer;
import io.socket.client.Socket;

/**
 * The packaged application as a primary with two workers: sockets authenticated with tokens on both workers, and
 * {@code fetchSockets()} from either worker sees every socket's identity (name and roles, not credentials) and the
 * anonymous ones as anonymous; and two hosts on one Redis, each seeing the other's sockets' identities.
 */
class ClusterIdentityIT {

    static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar");

    @Test
    void fetchSocketsSeesTheIdentitiesOfBothWorkers() throws Exception {
        try (ClusterProcess cluster = ClusterProcess.launch(JAR, 2, Map.of(), "security-cluster");
                SecureClients clients = new SecureClients()) {
            cluster.awaitReady(2);
            List<Socket> sockets = new ArrayList<>();
            List<String> expected = new ArrayList<>();
            TreeSet<Integer> workers = new TreeSet<>();
            // sockets until both workers hold some (bounded): the kernel spreads new connections over them
            for (int i = 0; i < 40 && (i < 4 || workers.size() < 2); i++) {
                String user = "user" + i;
                Socket s = clients.open(cluster.url() + "/", new String[] { "websocket" }, null,
                        Tokens.valid(user, i % 2 == 0 ? "user" : "admin"));
                assertThat(SecureClients.connect(s)).isNull();
                workers.add(((Number) SecureClients.call(s, "worker")).intValue());
                sockets.add(s);
                expected.add(user + " [" + (i % 2 == 0 ? "user" : "admin") + "]");
            }
            assertThat(workers).as("workers holding sockets").containsExactly(1, 2);
            Socket anonymous = clients.open(cluster.url() + "/", new String[] { "websocket" }, null, null);
            assertThat(SecureClients.connect(anonymous)).isNull();
            expected.add("anonymous");
            for (Socket from : List.of(sockets.get(0), sockets.get(sockets.size() - 1), anonymous)) {
                JSONArray seen = (JSONArray) SecureClients.call(from, "everyone");
                List<String> names = new ArrayList<>();
                for (int i = 0; i < seen.length(); i++) {
                    names.add(seen.getString(i));
                }
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
            Socket onA = clients.open(hostA.url() + "/", new String[] { "websocket" }, null, Tokens.valid("ann", "admin"));
            Socket onB = clients.open(hostB.url() + "/", new String[] { "polling" }, Tokens.valid("ben", "user"), null);
            assertThat(SecureClients.connect(onA)).isNull();
            assertThat(SecureClients.connect(onB)).isNull();
            for (Socket from : List.of(onA, onB)) {
                JSONArray seen = (JSONArray) SecureClients.call(from, "everyone");
                assertThat(List.of(seen.getString(0), seen.getString(1))).containsExactly("ann [admin]", "ben [user]");
            }
        }
    }

    static Map<String, String> host(String node, RedisServer redis) {
        return Map.of("quarkus.socketio.bus", "redis", "quarkus.socketio.redis.url", redis.url(),
                "quarkus.socketio.cluster.node-id", node);
    }
}
