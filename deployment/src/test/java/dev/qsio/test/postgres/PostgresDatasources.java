package dev.qsio.test.postgres;

import java.util.List;

import io.quarkus.builder.Version;
import io.quarkus.maven.dependency.Dependency;
import io.quarkus.test.QuarkusUnitTest;

import dev.qsio.test.Failures;

/** Applications on {@code quarkus.socketio.bus=postgres} with {@code quarkus-reactive-pg-client}, no PostgreSQL started. */
final class PostgresDatasources {

    static final List<Dependency> REACTIVE_PG = List.of(Dependency.of("io.quarkus", "quarkus-reactive-pg-client",
            Version.getVersion()));

    private PostgresDatasources() {
    }

    /** The reactive PostgreSQL client, the default datasource's kind at build time, no Dev Services. */
    static QuarkusUnitTest withClient(QuarkusUnitTest test) {
        return test.setForcedDependencies(REACTIVE_PG)
                .overrideConfigKey("quarkus.datasource.db-kind", "postgresql")
                .overrideConfigKey("quarkus.datasource.devservices.enabled", "false")
                .overrideConfigKey("quarkus.socketio.bus", "postgres");
    }

    /** An application whose startup must fail because {@code key=value}, the message naming the key. */
    static QuarkusUnitTest startupFailsOn(String key, String value, String expected) {
        return withClient(Failures.startupFailsOn(key, value, expected));
    }
}
