package dev.qsio.it.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URL;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.qsio.it.support.ClientDriver;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The official {@code socket.io-client} past a limit its handler declares ({@code @OnEvent(value = "twice", rateLimit
 * = @RateLimit(perSecond = 0.001, burst = 2))}), with nothing configured: the third acknowledgement is
 * {@code {"error":"rate limited"}}, the connection stays, other events go on, and a new connection has its own two.
 */
@QuarkusTest
class AnnotatedRateLimitClientTest {

    @TestHTTPResource("/")
    URL root;

    ClientDriver driver;

    @BeforeEach
    void start() {
        driver = ClientDriver.start();
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    @ParameterizedTest
    @ValueSource(strings = { "polling", "websocket" })
    void theThirdIsAnsweredWithAnError(String transport) {
        String url = root.toString().replaceAll("/$", "") + "/";
        for (String id : List.of("first-" + transport, "second-" + transport)) {
            driver.connect(id, url, Map.of("transports", List.of(transport)));
            driver.await(id, "connect");
            for (int i = 1; i <= 2; i++) {
                driver.emitWithAck(id, "t" + i, 5000, "twice", "x" + i);
                assertThat(driver.awaitAck(id, "t" + i).get("args").toString()).isEqualTo("[\"x" + i + "\"]");
            }
            driver.emitWithAck(id, "t3", 5000, "twice", "x3");
            assertThat(driver.awaitAck(id, "t3").get("args").toString()).isEqualTo("[{\"error\":\"rate limited\"}]");
            driver.emit(id, "message", 1, "two");
            assertThat(driver.awaitEmit(id, "message-back").get("args").toString()).isEqualTo("[1,\"two\"]");
            assertThat(driver.connectedNow(id)).isTrue();
        }
    }
}
