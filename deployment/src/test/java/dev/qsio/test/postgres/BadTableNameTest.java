package dev.qsio.test.postgres;

import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkus.test.QuarkusUnitTest;

/** A table name that is not an identifier (it is written into SQL) fails startup naming the key. */
class BadTableNameTest {

    @RegisterExtension
    static final QuarkusUnitTest test = PostgresDatasources.startupFailsOn("quarkus.socketio.postgres.table-name",
            "attachments; DROP TABLE x", "must be a table name")
            .overrideConfigKey("quarkus.datasource.reactive.url", "postgresql://127.0.0.1:5/x");

    @Test
    void startupFails() {
        fail("startup should have failed");
    }
}
