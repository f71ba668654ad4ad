package dev.qsio.it.features.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.qsio.it.support.ClientDriver;
import dev.qsio.it.support.ClusterProcess;
import dev.qsio.it.support.RedisServer;

/**
 * The redis bus with Redis credentials and TLS: two single-process servers reach each other through a Redis that
 * requires a password and serves TLS only (a certificate of a throwaway authority, trusted with
 * {@code quarkus.socketio.redis.tls.trust-certificate-pem}); a wrong password keeps the bus down, says why in the
 * readiness check, and the server still serves its own clients.
 */
class RedisSecurityIT {

    static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar");
    ClientDriver driver;
    RedisServer redis;
    ClusterProcess a;
    ClusterProcess b;

    @BeforeEach
    void driver() {
        driver = ClientDriver.start();
    }

    @AfterEach
    void close() {
        driver.close();
        for (ClusterProcess p : new ClusterProcess[] { a, b }) {
            if (p != null) {
                p.close();
            }
        }
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    void passwordAndTlsAreUsedAndTheServersMeetThroughRedis() {
        redis = RedisServer.start("tls", "s3cret-pass", true);
        Map<String, String> props = new HashMap<>(Map.of("quarkus.socketio.bus", "redis",
                "quarkus.socketio.redis.url", redis.url(), "quarkus.socketio.redis.password", "s3cret-pass",
                "quarkus.socketio.redis.tls.trust-certificate-pem", redis.caPem().toString()));
        props.put("quarkus.socketio.cluster.node-id", "tls-a");
        a = ClusterProcess.startSingle(JAR, props, "redis-tls-a");
        props.put("quarkus.socketio.cluster.node-id", "tls-b");
        b = ClusterProcess.startSingle(JAR, props, "redis-tls-b");
        for (ClusterProcess p : List.of(a, b)) {
            ClusterProcess.awaitReadiness(Duration.ofSeconds(10), p);
            await().atMost(Duration.ofSeconds(10)).until(() -> p.text("/q/health/ready").contains("\"redis\": \"up, 2 servers\""));
        }
        driver.connect("on-a", a.url(), Map.of("transports", List.of("websocket")));
        driver.connect("on-b", b.url(), Map.of("transports", List.of("polling")));
        driver.awaitEmit("on-a", "welcome");
        driver.awaitEmit("on-b", "welcome");
        driver.emit("on-a", "everyone", Map.of("over", "tls"));
        assertThat(driver.awaitEmit("on-b", "everyone").get("args").get(0).get("over").asText()).isEqualTo("tls");
    }

    @Test
    void aWrongPasswordKeepsTheBusDownSaysWhyAndLocalClientsAreServed() {
        redis = RedisServer.start("auth", "right-pass", false);
        a = ClusterProcess.startSingle(JAR, Map.of("quarkus.socketio.bus", "redis", "quarkus.socketio.redis.url",
                redis.url(), "quarkus.socketio.redis.password", "wrong-pass"), "redis-wrong-password");
        assertThat(a.status("/q/health/ready")).isEqualTo(503);
        assertThat(a.text("/q/health/ready")).contains("unreachable at " + redis.url()).containsIgnoringCase("pass");
        assertThat(a.logText()).contains("cannot reach Redis at " + redis.url());
        driver.connect("one", a.url(), Map.of("transports", List.of("websocket")));
        driver.connect("two", a.url(), Map.of("transports", List.of("websocket")));
        driver.awaitEmit("one", "welcome");
        driver.awaitEmit("two", "welcome");
        driver.emit("one", "everyone", Map.of("still", "served"));
        assertThat(driver.awaitEmit("two", "everyone").get("args").get(0).get("still").asText()).isEqualTo("served");
    }
}
