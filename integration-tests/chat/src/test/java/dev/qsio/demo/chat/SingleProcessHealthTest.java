package dev.qsio.demo.chat;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URL;
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
}
