package dev.qsio.it.features.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import dev.qsio.it.support.ClientDriver;
import dev.qsio.it.support.ClusterProcess;

/**
 * HTTPS in cluster mode: the primary listens on the application's TLS port too and passes each connection, still
 * encrypted, to a worker, whose private TLS listener (on a port the kernel picked) does the handshake. The official
 * Node client with its default options, trusting the test's certificate the way a Node user does
 * ({@code NODE_EXTRA_CA_CERTS}), in every transport mix: polling then upgrade, WebSocket only, polling only.
 */
class ClusterTlsIT {

    static final int PER_MIX = 10;

    @TempDir
    Path dir;

    @Test
    void everyTransportMixIsServedOverTlsByBothWorkers() throws Exception {
        Path keyStore = dir.resolve("server.p12");
        Path ca = dir.resolve("ca.pem");
        keytool("-genkeypair", "-alias", "server", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=localhost",
                "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2", "-storetype", "PKCS12",
                "-keystore", keyStore.toString(), "-storepass", "secret123", "-keypass", "secret123");
        assertThat(keyStore).exists();
        keytool("-exportcert", "-rfc", "-alias", "server", "-keystore", keyStore.toString(), "-storepass", "secret123",
                "-file", ca.toString());
        int sslPort = ClusterProcess.freePort();
        Map<String, String> props = new HashMap<>();
        props.put("quarkus.http.ssl.certificate.key-store-file", keyStore.toString());
        props.put("quarkus.http.ssl.certificate.key-store-password", "secret123");
        props.put("quarkus.http.ssl-port", String.valueOf(sslPort));
        // the server's default heartbeat (the test application's 2 s is for other tests): a TLS connection is not
        // routed by its requests (the primary cannot read them), so polling requests of one worker's sessions that
        // reach the other are forwarded over the bus (cluster.adoc, "TLS")
        props.put("quarkus.socketio.ping-interval", "25s");
        props.put("quarkus.socketio.ping-timeout", "20s");
        try (ClusterProcess cluster = ClusterProcess.start(ClusterApiIT.JAR, 2, props, "tls");
                ClientDriver driver = ClientDriver.start(Map.of("NODE_EXTRA_CA_CERTS", ca.toString()))) {
            String https = "https://127.0.0.1:" + sslPort;
            List<String> ids = new ArrayList<>();
            Map<String, Map<String, Object>> mixes = Map.of(
                    "default", Map.of(),
                    "websocket", Map.of("transports", List.of("websocket")),
                    "polling", Map.of("transports", List.of("polling")));
            mixes.forEach((mix, opts) -> {
                for (int i = 0; i < PER_MIX; i++) {
                    String id = mix + i;
                    driver.connect(id, https, opts);
                    ids.add(id);
                }
            });
            driver.connect("plain", cluster.url(), Map.of());
            for (String id : ids) {
                driver.await(id, "connect");
            }
            for (int i = 0; i < PER_MIX; i++) {
                driver.await("default" + i, "upgrade");
            }
            driver.await("plain", "connect");

            long[] onWorker = new long[3];
            for (String id : ids) {
                onWorker[ClusterApiIT.ack(driver, id, "whoami").get(0).asInt()]++;
            }
            assertThat(onWorker[1]).as("sessions on worker 1").isPositive();
            assertThat(onWorker[2]).as("sessions on worker 2").isPositive();

            // a broadcast from a polling-only client reaches every other client, on both workers, over TLS and plain
            driver.emit("polling0", "broadcast", "over tls");
            for (String id : ids) {
                if (!id.equals("polling0")) {
                    assertThat(driver.awaitEmit(id, "broadcast").path("args").get(0).asText()).isEqualTo("over tls");
                }
            }
            assertThat(driver.awaitEmit("plain", "broadcast").path("args").get(0).asText()).isEqualTo("over tls");

            // the default clients are on WebSocket now, and each client still has the one session it opened
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                for (String id : ids) {
                    assertThat(driver.events(id, "connect")).as(id + " connected once").hasSize(1);
                    assertThat(driver.events(id, "disconnect")).as(id + " never disconnected").isEmpty();
                }
            });
            JsonNode routed = cluster.cluster().path("connections");
            assertThat(routed.path("routed").asLong()).as("connections the primary routed: " + routed)
                    .isGreaterThanOrEqualTo(3L * PER_MIX);
            // the workers found their listeners, on the ports the kernel gave them: every handed-over connection was
            // served, and request heads are timed on both
            assertThat(cluster.logText()).doesNotContain("Cannot serve a handed-over connection")
                    .doesNotContain("are not timed");
        }
    }

    static void keytool(String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("keytool " + String.join(" ", args) + ": " + out).isZero();
    }
}
