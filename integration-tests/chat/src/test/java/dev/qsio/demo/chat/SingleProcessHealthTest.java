package dev.qsio.demo.chat;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URL;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.qsio.it.support.ClientDriver;
import dev.qsio.it.support.RawHttp;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/** In one process (test mode) the probes and meters report that process, as worker 0. */
@QuarkusTest
class SingleProcessHealthTest {

    @TestHTTPResource(value = "/", management = true)
    URL management;

    @TestHTTPResource("/")
    URL root;

    @Test
    void probesAndMetersOfOneProcess() {
        var ready = RawHttp.get(management + "health/ready");
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(ready.body()).contains("\"Socket.IO\"").as("the application's own check").contains("\"chat\"");
        // no PostgreSQL is configured: a check of it that says UP would tell the reader something untrue
        assertThat(ready.body()).doesNotContain("PostgreSQL");
        assertThat(RawHttp.get(management + "health/live").body()).contains("\"role\": \"single\"");
        try (ClientDriver driver = ClientDriver.start()) {
            driver.connect("one", root.toString(), Map.of());
            driver.awaitEmit("one", "hello");
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> RawHttp
                    .get(management + "metrics").body()
                    .contains("socketio_connected_sockets{namespace=\"/\",transport=\"websocket\",worker=\"0\"} 1.0")
                    || RawHttp.get(management + "metrics").body()
                            .contains("socketio_connected_sockets{namespace=\"/\",transport=\"polling\",worker=\"0\"} 1.0"));
        }
    }

    /**
     * The HTTP server's connection meter (Micrometer's HTTP binder) follows WebSocket clients to their end: the
     * extension serves an upgraded connection from its channel and reports its end to the meter itself, since the
     * HTTP server no longer sees it.
     */
    @Test
    void theHttpServersConnectionMeterSeesWebSocketsEnd() {
        String port = String.valueOf(root.getPort());
        try (ClientDriver driver = ClientDriver.start()) {
            for (int i = 0; i < 5; i++) {
                driver.connect("ws" + i, root.toString(), Map.of("transports", List.of("websocket")));
            }
            for (int i = 0; i < 5; i++) {
                driver.await("ws" + i, "connect");
                driver.awaitEmit("ws" + i, "hello");
            }
            // the count with them (connections of earlier tests may still be closing: only a drop is asserted)
            double with = activeConnections(port);
            assertThat(with).as("the five WebSockets are counted").isGreaterThanOrEqualTo(5);
            for (int i = 0; i < 5; i++) {
                driver.disconnect("ws" + i);
            }
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThat(activeConnections(port)).isLessThanOrEqualTo(with - 5));
        }
    }

    /** The meter of the application's port (labelled with it where the management interface has a port of its own). */
    private double activeConnections(String port) {
        String name = "http_server_connections_seconds_active_count";
        return RawHttp.get(management + "metrics").body().lines().filter(l -> l.startsWith(name))
                .filter(l -> !l.contains("server_port=") || l.contains("server_port=\"" + port + "\""))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).findFirst()
                // no connection yet
                .orElse(0);
    }
}
