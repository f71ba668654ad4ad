package dev.qsio.test.config;

import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.qsio.test.Failures;
import io.quarkus.test.QuarkusUnitTest;

class RedisUrlSchemeTest {

    @RegisterExtension
    static final QuarkusUnitTest test = Failures.startupFailsOn("quarkus.socketio.redis.url", "http://localhost:6379",
            "must start with redis:// or rediss://").overrideConfigKey("quarkus.socketio.bus", "redis");

    @Test
    void startupFails() {
        fail("startup should have failed");
    }
}
