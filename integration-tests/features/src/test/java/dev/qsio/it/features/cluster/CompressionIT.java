package dev.qsio.it.features.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.qsio.it.support.ClientDriver;
import dev.qsio.it.support.ClusterProcess;

/**
 * Compression with a real client: {@code socket.io-client} 4.8 on Node offers permessage-deflate (its threshold
 * 1024 bytes) and accepts gzip on polling. With {@code per-message-deflate.enabled}, large messages both ways,
 * acknowledgements and broadcasts arrive intact on every transport mix, on one process and across two workers.
 */
class CompressionIT {

    static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar");
    static final Map<String, String> DEFLATE = Map.of("quarkus.socketio.per-message-deflate.enabled", "true");

    @Test
    void oneProcess() {
        try (ClusterProcess server = ClusterProcess.startSingle(JAR, DEFLATE, "compression-single");
                ClientDriver driver = ClientDriver.start()) {
            exchange(driver, server.url(), "s");
        }
    }

    @Test
    void twoWorkers() {
        try (ClusterProcess cluster = ClusterProcess.launch(JAR, 2, DEFLATE, "compression-cluster");
                ClientDriver driver = ClientDriver.start()) {
            cluster.awaitReady(2);
            exchange(driver, cluster.url(), "c");
        }
    }

    static void exchange(ClientDriver driver, String url, String prefix) {
        List<String> clients = new ArrayList<>();
        for (List<String> transports : MsgpackParserIT.TRANSPORTS) {
            for (int i = 0; i < 2; i++) {
                String id = prefix + clients.size() + "-" + String.join("+", transports);
                driver.connect(id, url, Map.of("transports", transports));
                clients.add(id);
            }
        }
        for (String c : clients) {
            driver.await(c, "connect");
        }
        StringBuilder big = new StringBuilder();
        for (int i = 0; big.length() < 20_000; i++) {
            big.append("compressible line ").append(i).append('\n');
        }
        for (String c : clients) {
            String text = big + c;
            assertThat(driver.call(c, 15_000, "upper", text).get(0).asText()).isEqualTo(text.toUpperCase());
            assertThat(driver.call(c, 15_000, "upper", "small").get(0).asText()).isEqualTo("SMALL");
        }
        String marker = "broadcast " + big;
        driver.emit(clients.get(0), "everyone", Map.of("text", marker));
        for (String c : clients) {
            JsonNode got = driver.await(e -> c.equals(e.path("id").asText()) && "event".equals(e.path("event").asText())
                    && "everyone".equals(e.path("name").asText()));
            assertThat(got.path("args").get(0).path("text").asText()).isEqualTo(marker);
        }
    }
}
