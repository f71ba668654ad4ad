package dev.qsio.test.postgres;

import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkus.test.QuarkusUnitTest;

/** {@code quarkus.socketio.postgres.datasource} names a datasource that is not configured: startup fails naming it. */
class UnknownDatasourceTest {

    @RegisterExtension
    static final QuarkusUnitTest test = PostgresDatasources.startupFailsOn("quarkus.socketio.postgres.datasource",
            "events", "names a reactive datasource that is not configured: set quarkus.datasource.\"events\".reactive.url");

    @Test
    void startupFails() {
        fail("startup should have failed");
    }
}
