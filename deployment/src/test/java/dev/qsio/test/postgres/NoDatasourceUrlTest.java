package dev.qsio.test.postgres;

import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkus.test.QuarkusUnitTest;

/** {@code quarkus.socketio.bus=postgres} with a default datasource that has no URL: startup fails naming the key. */
class NoDatasourceUrlTest {

    @RegisterExtension
    static final QuarkusUnitTest test = PostgresDatasources.startupFailsOn("quarkus.socketio.bus", "postgres",
            "set quarkus.datasource.reactive.url");

    @Test
    void startupFails() {
        fail("startup should have failed");
    }
}
