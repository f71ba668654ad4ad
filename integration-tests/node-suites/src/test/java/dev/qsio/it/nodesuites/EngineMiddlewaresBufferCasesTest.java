package dev.qsio.it.nodesuites;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * {@code engine.io/test/middlewares.js} with {@code maxHttpBufferSize: 5}: here
 * {@code quarkus.socketio.max-http-buffer-size=5}, an application of its own, with the module's engine middlewares
 * ({@link EngineMiddlewaresCasesTest}) and raw Engine.IO endpoint ({@link EngineCasesTest}).
 */
@QuarkusTest
@TestProfile(EngineMiddlewaresBufferCasesTest.FiveBytes.class)
@NodeFile("engine.io/test/middlewares.js")
class EngineMiddlewaresBufferCasesTest extends NodeCases {

    public static class FiveBytes implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.socketio.max-http-buffer-size", "5");
        }
    }

    /** The official Engine.IO client, polling only, through the middleware ({@code mw=order}, which lets it pass). */
    @Test
    @NodeCase("middlewares > should not be receiving data when getting a message longer than maxHttpBufferSize when polling (with a middleware)")
    void aMessageOverTheLimitClosesTheSessionUnread() {
        String id = "e" + System.nanoTime();
        driver.engineOpen(id, url("/engine.io/"), Map.of("transports", List.of("polling"), "upgrade", false,
                "query", Map.of("mw", "order", "rid", id)));
        String sid = driver.await(id, "open").path("sid").asText();
        driver.engineSend(id, "aasdasdakjhasdkjhasdkjhasdkjhasdkjhasdkjhasdkjha");
        driver.await(id, "close");
        assertThat(EngineMiddlewaresCasesTest.ORDER.get(id)).isNotEmpty();
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2))
                .until(() -> !EngineCasesTest.RECEIVED.containsKey(sid));
    }
}
